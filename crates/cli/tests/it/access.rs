//! Each role sees exactly what its role and scope allow, and gets 403 otherwise.

use std::collections::{HashMap, HashSet};

use axum::http::Method;
use dandang_store::entity::{cadre, jurisdiction, unit};
use dandang_store::sea_orm::EntityTrait;
use serde_json::json;
use uuid::Uuid;

use crate::support::{Env, each_backend};

/// Where each cadre sits, computed from parent links alone.
struct Placed {
    id: Uuid,
    managed_by: String,
    /// Division codes from the cadre's own up to the province.
    codes: Vec<String>,
    /// Unit ids from the cadre's own up to the top unit.
    units: Vec<Uuid>,
}

struct Oracle {
    cadres: Vec<Placed>,
    units: HashMap<String, Uuid>,
}

async fn oracle(env: &Env) -> Oracle {
    let db = env.app.db().read();
    let js: HashMap<Uuid, jurisdiction::Model> =
        jurisdiction::Entity::find().all(db).await.unwrap().into_iter().map(|j| (j.id, j)).collect();
    let us: HashMap<Uuid, unit::Model> =
        unit::Entity::find().all(db).await.unwrap().into_iter().map(|u| (u.id, u)).collect();
    let mut cadres = Vec::new();
    for c in cadre::Entity::find().all(db).await.unwrap() {
        let u = &us[&c.unit_id];
        let mut codes = Vec::new();
        let mut j = Some(&js[&u.jurisdiction_id]);
        while let Some(x) = j {
            codes.push(x.code.clone());
            j = x.parent_id.map(|p| &js[&p]);
        }
        let mut units = Vec::new();
        let mut cur = Some(u);
        while let Some(x) = cur {
            units.push(x.id);
            cur = x.parent_id.map(|p| &us[&p]);
        }
        cadres.push(Placed { id: c.id, managed_by: c.managed_by, codes, units });
    }
    Oracle { cadres, units: us.values().map(|u| (u.name.clone(), u.id)).collect() }
}

impl Oracle {
    fn expect(&self, f: impl Fn(&str, &[String], &[Uuid]) -> bool) -> HashSet<Uuid> {
        self.cadres.iter().filter(|c| f(&c.managed_by, &c.codes, &c.units)).map(|c| c.id).collect()
    }

    fn any_outside(&self, inside: &HashSet<Uuid>) -> Uuid {
        self.cadres.iter().map(|c| c.id).find(|id| !inside.contains(id)).expect("someone outside")
    }
}

async fn all_ids(env: &Env, token: &str) -> (u64, HashSet<Uuid>) {
    let mut ids = HashSet::new();
    let mut page = 1;
    loop {
        let r = env.get(&format!("/api/v1/cadres?per_page=200&page={page}"), token).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let v = r.json();
        for c in v["items"].as_array().unwrap() {
            ids.insert(c["id"].as_str().unwrap().parse().unwrap());
        }
        if page >= v["pages"].as_u64().unwrap() {
            return (v["total"].as_u64().unwrap(), ids);
        }
        page += 1;
    }
}

#[tokio::test]
async fn each_role_lists_exactly_its_scope() {
    each_backend(|env| async move {
        env.demo().await;
        let o = oracle(&env).await;
        let within = |code: &'static str| move |codes: &[String]| codes.iter().any(|c| c == code);
        let fgw = o.units["宜昌市发展和改革委员会"];
        let self_id: Uuid = {
            let a = dandang_app::users::actor_by_name(&env.app, "ganbu_self").await.unwrap();
            a.scope.cadre_id.unwrap().0
        };
        let cases: Vec<(&str, HashSet<Uuid>)> = vec![
            ("admin", o.expect(|_, _, _| true)),
            ("sheng_ganbu", o.expect(|m, c, _| m == "province" && within("420000")(c))),
            ("yc_ganbu", o.expect(|m, c, _| m == "city" && within("420500")(c))),
            ("yc_jiandu", o.expect(|m, c, _| (m == "city" || m == "county") && within("420500")(c))),
            ("yc_jiwei", o.expect(|m, c, _| (m == "city" || m == "county") && within("420500")(c))),
            ("yc_ducha", o.expect(|m, c, _| (m == "city" || m == "county") && within("420500")(c))),
            ("yl_ganbu", o.expect(|m, c, _| m == "county" && within("420506")(c))),
            ("jz_ganbu", o.expect(|m, c, _| m == "city" && within("421000")(c))),
            ("yc_fgw", o.expect(|_, _, u| u.contains(&fgw))),
            ("ganbu_self", [self_id].into_iter().collect()),
        ];
        for (user, expected) in &cases {
            assert!(!expected.is_empty(), "{user}: oracle empty");
            let t = env.token(user).await;
            let (total, ids) = all_ids(&env, &t).await;
            assert_eq!(total as usize, expected.len(), "{} {user}: total", env.backend);
            assert_eq!(&ids, expected, "{} {user}: ids", env.backend);
            // One record inside, one outside.
            let inside = *expected.iter().next().unwrap();
            let r = env.get(&format!("/api/v1/cadres/{inside}"), &t).await;
            assert_eq!(r.status, 200, "{user} reads own scope: {}", r.text());
            if *user != "admin" {
                let outside = o.any_outside(expected);
                let r = env.get(&format!("/api/v1/cadres/{outside}"), &t).await;
                assert_eq!((r.status, r.code().as_str()), (404, "not_found"), "{user} reads outside");
            }
        }
        let t = env.token("auditor").await;
        let r = env.get("/api/v1/cadres", &t).await;
        assert_eq!((r.status, r.code().as_str()), (403, "forbidden"));
    })
    .await;
}

#[tokio::test]
async fn role_permission_matrix() {
    each_backend(|env| async move {
        env.demo().await;
        let roles = [
            "admin",
            "sheng_ganbu",
            "yc_ganbu",
            "yc_jiandu",
            "yc_jiwei",
            "yc_ducha",
            "yc_fgw",
            "yc_lingdao",
            "ganbu_self",
            "auditor",
            "yc_xuncha",
            "yc_shenji",
        ];
        // Expected status per endpoint, in the order of `roles`.
        let gets: &[(&str, [u16; 12])] = &[
            ("/api/v1/cadres", [200, 200, 200, 200, 200, 200, 200, 200, 200, 403, 200, 200]),
            ("/api/v1/units", [200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 200, 200]),
            ("/api/v1/jurisdictions", [200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 200, 200]),
            ("/api/v1/cadres/export", [200, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403]),
            ("/api/v1/units/export", [200, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403]),
            ("/api/v1/audit", [200, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403]),
            ("/api/v1/audit/verify", [200, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403]),
            ("/api/v1/users", [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
            ("/api/v1/users/export", [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
            ("/api/v1/audit/export", [200, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403]),
            ("/api/v1/jurisdictions/export", [200, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403]),
            // The registry sections import rosters; supervision and the commission import measures; the office items.
            ("/api/v1/imports", [200, 200, 200, 200, 200, 200, 403, 403, 403, 403, 403, 403]),
            ("/api/v1/measures/statistics", [200, 200, 200, 200, 200, 403, 200, 403, 403, 403, 403, 403]),
            ("/api/v1/impact/ending?days=90", [200, 200, 200, 200, 200, 403, 200, 403, 403, 403, 403, 403]),
            // A cadre reads their own measures, not the follow-up file kept on them.
            ("/api/v1/follow-ups", [200, 200, 200, 200, 200, 403, 200, 403, 403, 403, 403, 403]),
            ("/api/v1/supervision/triggers", [200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403]),
            ("/api/v1/supervision/cases", [200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403]),
            ("/api/v1/supervision/dashboard", [200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403]),
            ("/api/v1/tolerance/cases", [200, 200, 200, 200, 200, 403, 200, 403, 200, 403, 403, 403]),
            ("/api/v1/tolerance/criteria", [200, 200, 200, 200, 200, 403, 200, 403, 200, 403, 403, 403]),
            // Copies of decision letters: whoever reads cases, and the inspection and audit bodies.
            ("/api/v1/tolerance/copies", [200, 200, 200, 200, 200, 403, 200, 403, 200, 403, 200, 200]),
            ("/api/v1/policy/packs", [200; 12]),
            ("/api/v1/workdays/add?date=2025-09-30&n=1", [200; 12]),
            ("/api/v1/me", [200; 12]),
        ];
        let mut tokens = HashMap::new();
        for r in roles {
            tokens.insert(r, env.token(r).await);
        }
        for (path, expect) in gets {
            for (i, role) in roles.iter().enumerate() {
                let r = env.get(path, &tokens[role]).await;
                assert_eq!(
                    r.status,
                    expect[i],
                    "{} GET {path} as {role}: {}",
                    env.backend,
                    r.text().chars().take(200).collect::<String>()
                );
            }
        }
        // Writes: only roles with registry-write permission get past the role check.
        let o = oracle(&env).await;
        let body = |unit: Uuid, managed: &str, id: &str| {
            json!({"name": "测试干部", "sex": "男", "birth_date": "1980-05-12", "id_number": id, "ethnicity": "汉族",
                   "unit_id": unit, "managed_by": managed, "tags": []})
        };
        let yc_finance = o.units["宜昌市财政局"];
        let jz_finance = o.units["荆州市财政局"];
        let ids: Vec<String> = ["11010519800512001", "11010519800512003", "11010519800512005", "11010519800512007"]
            .iter()
            .map(|b| dandang_domain::registry::IdNumber::from_body(b).unwrap().as_str().to_string())
            .collect();
        let mut n = 0;
        for (i, role) in roles.iter().enumerate() {
            let r = env.post("/api/v1/cadres", &tokens[role], body(yc_finance, "city", &ids[n % ids.len()])).await;
            let allowed = matches!(i, 0 | 2);
            if allowed {
                assert_eq!(r.status, 201, "{role} creates in scope: {}", r.text());
                n += 1;
            } else if *role == "sheng_ganbu" {
                // The province's department handles province-managed cadres only.
                assert_eq!((r.status, r.fields()), (422, vec!["managed_by".to_string()]), "{role}: {}", r.text());
            } else {
                assert_eq!((r.status, r.code().as_str()), (403, "forbidden"), "{role}: {}", r.text());
            }
        }
        // In role, out of scope: another city's unit, or a management level not held.
        let t = &tokens["yc_ganbu"];
        let r = env.post("/api/v1/cadres", t, body(jz_finance, "city", &ids[2])).await;
        assert_eq!((r.status, r.fields()), (422, vec!["unit_id".to_string()]), "a unit outside reads as not found");
        let r = env.post("/api/v1/cadres", t, body(yc_finance, "county", &ids[2])).await;
        assert_eq!((r.status, r.fields()), (422, vec!["managed_by".to_string()]));
        // Nothing half-written: the refused creates left no rows.
        let r = env.get("/api/v1/cadres?q=测试干部", &tokens["admin"]).await;
        assert_eq!(r.json()["total"], 2, "{}", r.text());
        let anon = env.api(Method::GET, "/api/v1/cadres", None, None).await;
        assert_eq!((anon.status, anon.code().as_str()), (401, "unauthenticated"));
    })
    .await;
}

#[tokio::test]
async fn sensitive_fields_are_reduced_and_reads_audited() {
    each_backend(|env| async move {
        env.demo().await;
        let o = oracle(&env).await;
        let target =
            o.cadres.iter().find(|c| c.managed_by == "city" && c.codes.iter().any(|x| x == "420500")).unwrap().id;
        let ducha = env.token("yc_ducha").await;
        let jiandu = env.token("yc_jiandu").await;
        let masked = env.get(&format!("/api/v1/cadres/{target}"), &ducha).await.json();
        let full = env.get(&format!("/api/v1/cadres/{target}"), &jiandu).await.json();
        let m = masked["id_number"].as_str().unwrap();
        let f = full["id_number"].as_str().unwrap();
        assert_eq!(masked["id_number_masked"], true);
        assert_eq!(full["id_number_masked"], false);
        assert!(m.contains("********") && !f.contains('*'), "{m} / {f}");
        assert_eq!(&m[..6], &f[..6]);
        // Each read left an audit event naming the reader.
        let admin = env.token("admin").await;
        let ev = env.get(&format!("/api/v1/audit?entity_id={target}&action=cadre.read"), &admin).await.json();
        let readers: HashSet<String> =
            ev["items"].as_array().unwrap().iter().map(|e| e["actor_name"].as_str().unwrap().to_string()).collect();
        assert!(readers.contains("yc_ducha") && readers.contains("yc_jiandu"), "{readers:?}");
        // Searching by a full ID number only works for roles allowed to see it.
        let hit = env.get(&format!("/api/v1/cadres?q={f}"), &jiandu).await.json();
        assert_eq!(hit["total"], 1);
        let miss = env.get(&format!("/api/v1/cadres?q={f}"), &ducha).await.json();
        assert_eq!(miss["total"], 0);
    })
    .await;
}

#[tokio::test]
async fn navigation_shows_only_permitted_modules() {
    each_backend(|env| async move {
        env.demo().await;
        let pw = dandang_demo::DEMO_PASSWORD;
        let cases: &[(&str, &[&str], &[&str])] = &[
            ("admin", &["干部", "单位", "数据导入", "审计记录", "用户管理"], &["我的档案"]),
            ("yc_ganbu", &["干部", "单位", "数据导入", "规则库"], &["审计记录", "用户管理"]),
            (
                "yc_ducha",
                &["干部", "单位", "督查问效", "数据导入"],
                &["处分与影响期", "容错纠错", "审计记录", "用户管理"],
            ),
            ("yc_jiwei", &["容错纠错", "处分与影响期"], &["用户管理"]),
            ("yc_lingdao", &["督查问效"], &["数据导入", "处分与影响期", "审计记录"]),
            ("yc_xuncha", &["容错纠错"], &["督查问效", "处分与影响期", "数据导入", "审计记录"]),
            ("auditor", &["审计记录", "规则库"], &["\">干部<", "数据导入", "用户管理"]),
            ("ganbu_self", &["我的档案"], &["\">干部<", "\">单位<", "数据导入", "审计记录", "督查问效"]),
        ];
        for (user, present, absent) in cases {
            let b = env.login(user, pw).await.unwrap_or_else(|r| panic!("{user} login: {}", r.text()));
            let home = env.page("/", &b.cookie).await;
            assert_eq!(home.status, 200);
            let nav = home.text();
            let nav = nav.split("<nav id=\"nav\"").nth(1).unwrap().split("</nav>").next().unwrap();
            for p in *present {
                assert!(nav.contains(p), "{user}: nav lacks {p}");
            }
            for a in *absent {
                assert!(!nav.contains(a), "{user}: nav shows {a}");
            }
        }
        // The inspection body's home counts the letters copied to it.
        let b = env.login("yc_xuncha", pw).await.unwrap();
        let home = env.page("/", &b.cookie).await.text();
        assert!(home.contains("抄送的容错处理决定书"), "inspection home lacks its copies");
        let b = env.login("yc_ganbu", pw).await.unwrap();
        for path in ["/audit", "/admin/users"] {
            assert_eq!(env.page(path, &b.cookie).await.status, 403, "{path}");
        }
        let b = env.login("ganbu_self", pw).await.unwrap();
        assert_eq!(env.page("/units", &b.cookie).await.status, 403);
        let me = env.page("/me/record", &b.cookie).await;
        assert_eq!(me.status, 303);
    })
    .await;
}
