//! The scope conditions written in SQL (the store) and the predicates written
//! in Rust (the domain: `Scope::covers_*`, `Scope::contains` and the
//! audiences) agree, for random scopes and random records, on each database.
//!
//! The demo deployment gives the trees; the records placed in them are then
//! shuffled at random (cadres in random units under random management
//! authorities, cases about random cadres in random states), and random
//! actors ask the store what they see.

use std::collections::{BTreeSet, HashMap};

use dandang_domain::{
    access::{
        Actor, CadreLocation, Role, Scope,
        audience::{sees_supervision_case, sees_tolerance_case, tolerance_audience},
    },
    ids::{CadreId, UnitId, UserId},
    registry::ManagedBy,
    supervision::case::CaseState as SupervisionState,
    tolerance::case::Origin,
};
use dandang_store::{
    entity::{app_user, cadre, jurisdiction, supervision_case, tolerance_case, unit},
    registry::{self, CadreFilter, CadreSort, UnitFilter},
    sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set},
};
use proptest::{
    prelude::*,
    strategy::ValueTree,
    test_runner::{Config, TestRunner},
};
use uuid::Uuid;

use crate::support::{Env, each_backend};

/// Random actors per round, and rounds of reshuffled records.
const ACTORS: usize = 40;
const ROUNDS: usize = 3;

struct Trees {
    /// Jurisdiction paths, and "/" for the whole deployment.
    jurisdictions: Vec<String>,
    /// Unit id → (jurisdiction path, unit path).
    units: Vec<(Uuid, String, String)>,
}

async fn trees(env: &Env) -> Trees {
    let db = env.app.db().read();
    let js: HashMap<Uuid, String> =
        jurisdiction::Entity::find().all(db).await.unwrap().into_iter().map(|j| (j.id, j.path)).collect();
    let mut jurisdictions: Vec<String> = js.values().cloned().collect();
    jurisdictions.push("/".into());
    jurisdictions.sort();
    let mut units: Vec<(Uuid, String, String)> = unit::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.id, js[&u.jurisdiction_id].clone(), u.path))
        .collect();
    units.sort();
    Trees { jurisdictions, units }
}

/// A random scope, as an administrator could give one (and some no
/// administrator would: the predicates must agree on those too).
#[derive(Clone, Debug)]
struct ActorSpec {
    role: usize,
    jurisdiction: usize,
    managed_by: u8,
    unit: Option<usize>,
    cadre: Option<usize>,
    user: usize,
}

fn actor_spec(t: &Trees, cadres: usize) -> impl Strategy<Value = ActorSpec> {
    (
        0..Role::ALL.len(),
        0..t.jurisdictions.len(),
        1u8..8,
        proptest::option::weighted(0.3, 0..t.units.len()),
        proptest::option::weighted(0.15, 0..cadres),
        0..USERS,
    )
        .prop_map(|(role, jurisdiction, managed_by, unit, cadre, user)| ActorSpec {
            role,
            jurisdiction,
            managed_by,
            unit,
            cadre,
            user,
        })
}

/// The users whose requests the shuffled cases name.
const USERS: usize = 3;

fn actor(t: &Trees, cadres: &[Uuid], users: &[Uuid], s: &ActorSpec) -> Actor {
    let role = Role::ALL[s.role];
    let managed_by =
        ManagedBy::ALL.iter().enumerate().filter(|(i, _)| s.managed_by & (1 << i) != 0).map(|(_, m)| *m).collect();
    let unit = s.unit.map(|i| &t.units[i]);
    Actor {
        user_id: UserId(users[s.user]),
        username: "prop".into(),
        display_name: "prop".into(),
        role,
        scope: Scope {
            jurisdiction_path: t.jurisdictions[s.jurisdiction].clone(),
            managed_by,
            unit_path: unit.map(|u| u.2.clone()),
            unit_id: unit.map(|u| UnitId(u.0)),
            cadre_id: s.cadre.map(|i| CadreId(cadres[i])),
        },
        request_id: None,
    }
}

/// Draws values from a strategy without a synchronous test closure (the
/// checks are async); a failure prints the value, which is all we need.
struct Draw(TestRunner);

impl Draw {
    fn new() -> Draw {
        Draw(TestRunner::new_with_rng(
            Config::default(),
            proptest::test_runner::TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
        ))
    }

    fn one<S: Strategy>(&mut self, s: &S) -> S::Value {
        s.new_tree(&mut self.0).expect("a value").current()
    }
}

/// Moves every cadre to a random unit under a random management authority,
/// and every case to random cadres, units, states and requesters.
async fn shuffle(env: &Env, t: &Trees, users: &[Uuid], draw: &mut Draw) {
    let db = env.app.db().read();
    let cadres = cadre::Entity::find().all(db).await.unwrap();
    for c in &cadres {
        let (u, m) = draw.one(&(0..t.units.len(), 0..ManagedBy::ALL.len()));
        let mut a = c.clone().into_active_model();
        a.unit_id = Set(t.units[u].0);
        a.managed_by = Set(ManagedBy::ALL[m].code().to_string());
        a.update(db).await.unwrap();
    }
    let ids: Vec<Uuid> = cadres.iter().map(|c| c.id).collect();
    for c in tolerance_case::Entity::find().all(db).await.unwrap() {
        let (who, origin, decided, served) =
            draw.one(&(0..ids.len(), 0..Origin::ALL.len(), any::<bool>(), any::<bool>()));
        let mut a = c.into_active_model();
        a.cadre_id = Set(ids[who]);
        a.origin = Set(Origin::ALL[origin].code().to_string());
        a.decision = Set(decided.then(|| "{}".to_string()));
        a.served_on = Set(served.then(|| chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()));
        a.update(db).await.unwrap();
    }
    for c in supervision_case::Entity::find().all(db).await.unwrap() {
        let (u, who, state, by) =
            draw.one(&(0..t.units.len(), proptest::option::of(0..ids.len()), 0..SupervisionState::ALL.len(), 0..USERS));
        let mut a = c.into_active_model();
        a.unit_id = Set(t.units[u].0);
        a.cadre_id = Set(who.map(|i| ids[i]));
        a.state = Set(SupervisionState::ALL[state].code().to_string());
        a.requested_by = Set(users[by]);
        a.update(db).await.unwrap();
    }
}

/// Where every cadre sits now.
struct Placed {
    id: Uuid,
    jurisdiction_path: String,
    unit_path: String,
    managed_by: ManagedBy,
}

async fn placed(env: &Env, t: &Trees) -> Vec<Placed> {
    let units: HashMap<Uuid, (&String, &String)> = t.units.iter().map(|(id, j, p)| (*id, (j, p))).collect();
    let mut out: Vec<Placed> = cadre::Entity::find()
        .all(env.app.db().read())
        .await
        .unwrap()
        .into_iter()
        .map(|c| {
            let (j, p) = units[&c.unit_id];
            Placed {
                id: c.id,
                jurisdiction_path: j.clone(),
                unit_path: p.clone(),
                managed_by: ManagedBy::parse(&c.managed_by).unwrap(),
            }
        })
        .collect();
    out.sort_by_key(|p| p.id);
    out
}

fn covers(scope: &Scope, p: &Placed) -> bool {
    scope.covers_cadre(&CadreLocation {
        cadre_id: CadreId(p.id),
        jurisdiction_path: &p.jurisdiction_path,
        unit_path: &p.unit_path,
        managed_by: p.managed_by,
    })
}

/// Per kind, how many actors saw some records but not all: the draws must
/// reach the interesting middle, not only "everything" and "nothing".
#[derive(Default)]
struct Partial(HashMap<&'static str, usize>);

impl Partial {
    fn note(&mut self, what: &'static str, seen: usize, all: usize) {
        if seen > 0 && seen < all {
            *self.0.entry(what).or_default() += 1;
        }
    }

    fn assert_reached(&self, kinds: &[&'static str]) {
        for k in kinds {
            let n = self.0.get(k).copied().unwrap_or(0);
            assert!(n >= 5, "only {n} actors saw part of the {k}");
        }
    }
}

fn agree(what: &str, a: &Actor, sql: BTreeSet<Uuid>, rust: BTreeSet<Uuid>) {
    if sql != rust {
        let only_sql: Vec<_> = sql.difference(&rust).collect();
        let only_rust: Vec<_> = rust.difference(&sql).collect();
        panic!("{what} for {:?} {:?}: SQL alone sees {only_sql:?}, Rust alone sees {only_rust:?}", a.role, a.scope);
    }
}

#[tokio::test]
async fn scope_conditions_in_sql_and_rust_agree() {
    each_backend(|env| async move {
        env.demo().await;
        let db = env.app.db().read();
        let t = trees(&env).await;
        let mut draw = Draw::new();
        let users: Vec<Uuid> = (0..USERS).map(|_| Uuid::now_v7()).collect();
        let mut checked = 0usize;
        let mut partial = Partial::default();
        for _ in 0..ROUNDS {
            shuffle(&env, &t, &users, &mut draw).await;
            let cadres = placed(&env, &t).await;
            let by_id: HashMap<Uuid, &Placed> = cadres.iter().map(|c| (c.id, c)).collect();
            let ids: Vec<Uuid> = cadres.iter().map(|c| c.id).collect();
            let tcases = tolerance_case::Entity::find().all(db).await.unwrap();
            let scases = supervision_case::Entity::find().all(db).await.unwrap();
            let strategy = actor_spec(&t, ids.len());
            for _ in 0..ACTORS {
                let spec = draw.one(&strategy);
                let a = actor(&t, &ids, &users, &spec);

                // Cadres: the list and the loader by id against `covers_cadre`.
                let f = CadreFilter { include_inactive: true, ..Default::default() };
                let (rows, total) = registry::list_cadres(db, &a.scope, &f, CadreSort::Name, 0, 100_000).await.unwrap();
                let sql: BTreeSet<Uuid> = rows.iter().map(|r| r.id).collect();
                let rust: BTreeSet<Uuid> = cadres.iter().filter(|c| covers(&a.scope, c)).map(|c| c.id).collect();
                assert_eq!(total as usize, sql.len());
                partial.note("cadres", sql.len(), cadres.len());
                agree("cadres", &a, sql, rust);
                for c in cadres.iter().step_by(7) {
                    let one = registry::cadre(db, &a.scope, c.id).await.unwrap().is_some();
                    assert_eq!(one, covers(&a.scope, c), "cadre {} by id for {:?} {:?}", c.id, a.role, a.scope);
                }

                // Units: the list and the loader against `covers_unit`.
                let uf = UnitFilter { include_inactive: true, ..Default::default() };
                let (rows, _) = registry::list_units(db, &a.scope, &uf, 0, 100_000).await.unwrap();
                let sql: BTreeSet<Uuid> = rows.iter().map(|r| r.id).collect();
                let rust: BTreeSet<Uuid> =
                    t.units.iter().filter(|(_, j, p)| a.scope.covers_unit(j, p)).map(|(id, _, _)| *id).collect();
                partial.note("units", sql.len(), t.units.len());
                agree("units", &a, sql, rust);
                for (id, j, p) in t.units.iter().step_by(5) {
                    let one = registry::unit(db, &a.scope, *id).await.unwrap().is_some();
                    assert_eq!(one, a.scope.covers_unit(j, p), "unit {id} by id for {:?} {:?}", a.role, a.scope);
                }

                // Tolerance cases: scope of the cadre and the role's audience.
                let rows = dandang_store::tolerance::cases_in_scope(db, &a, &[]).await.unwrap();
                let sql: BTreeSet<Uuid> = rows.iter().map(|r| r.id).collect();
                let audience = tolerance_audience(a.role);
                let rust: BTreeSet<Uuid> = tcases
                    .iter()
                    .filter(|c| {
                        covers(&a.scope, by_id[&c.cadre_id])
                            && sees_tolerance_case(
                                audience,
                                Origin::parse(&c.origin).unwrap(),
                                c.decision.is_some(),
                                c.served_on.is_some(),
                            )
                    })
                    .map(|c| c.id)
                    .collect();
                for c in &tcases {
                    let one = dandang_store::tolerance::case(db, &a, c.id).await.unwrap().is_some();
                    assert_eq!(
                        one,
                        rust.contains(&c.id),
                        "tolerance case {} by id for {:?} {:?}",
                        c.id,
                        a.role,
                        a.scope
                    );
                }
                partial.note("tolerance cases", sql.len(), tcases.len());
                agree("tolerance cases", &a, sql, rust);

                // 督查问效 cases: the unit's scope, the cadre's if any, and the role's states.
                let rows = dandang_store::supervision::cases_in_scope(db, &a, &Default::default()).await.unwrap();
                let sql: BTreeSet<Uuid> = rows.iter().map(|r| r.id).collect();
                let unit_of: HashMap<Uuid, (&String, &String)> =
                    t.units.iter().map(|(id, j, p)| (*id, (j, p))).collect();
                let rust: BTreeSet<Uuid> = scases
                    .iter()
                    .filter(|c| {
                        let (j, p) = unit_of[&c.unit_id];
                        a.scope.covers_unit(j, p)
                            && c.cadre_id.is_none_or(|id| covers(&a.scope, by_id[&id]))
                            && sees_supervision_case(
                                a.role,
                                SupervisionState::parse(&c.state).unwrap(),
                                c.requested_by == a.user_id.0,
                            )
                    })
                    .map(|c| c.id)
                    .collect();
                partial.note("督查问效 cases", sql.len(), scases.len());
                agree("督查问效 cases", &a, sql, rust);
                checked += 1;
            }
        }
        assert_eq!(checked, ROUNDS * ACTORS);
        partial.assert_reached(&["cadres", "units", "tolerance cases", "督查问效 cases"]);
    })
    .await;
}

/// Users an administrator manages: SQL's `contained_in` against `Scope::contains`.
#[tokio::test]
async fn user_containment_in_sql_and_rust_agree() {
    each_backend(|env| async move {
        env.demo().await;
        let db = env.app.db().read();
        let t = trees(&env).await;
        let mut draw = Draw::new();
        let admin = dandang_app::users::actor_by_name(&env.app, "admin").await.unwrap();
        let cadre_ids: Vec<Uuid> = cadre::Entity::find().all(db).await.unwrap().into_iter().map(|c| c.id).collect();
        let codes: Vec<String> =
            jurisdiction::Entity::find().all(db).await.unwrap().into_iter().map(|j| j.code).collect();
        // Random users, as far as user administration accepts them.
        let mut made = 0;
        for n in 0..60 {
            let (role, j, m, u, c) = draw.one(&(
                0..Role::ALL.len(),
                proptest::option::weighted(0.9, 0..codes.len()),
                1u8..8,
                proptest::option::weighted(0.5, 0..t.units.len()),
                proptest::option::weighted(0.5, 0..cadre_ids.len()),
            ));
            let managed_by: Vec<&str> =
                ManagedBy::ALL.iter().enumerate().filter(|(i, _)| m & (1 << i) != 0).map(|(_, m)| m.code()).collect();
            let input: dandang_app::users::UserInput = serde_json::from_value(serde_json::json!({
                "username": format!("prop_{n}"), "display_name": format!("prop_{n}"),
                "role": Role::ALL[role].code(), "jurisdiction_code": j.map(|j| codes[j].clone()),
                "managed_by": managed_by, "unit_id": u.map(|u| t.units[u].0), "cadre_id": c.map(|c| cadre_ids[c]),
            }))
            .unwrap();
            made += usize::from(dandang_app::users::create(&env.app, &admin, &input).await.is_ok());
        }
        assert!(made >= 10, "only {made} random users were accepted");
        let mut scopes = Vec::new();
        for u in app_user::Entity::find().all(db).await.unwrap() {
            let a = dandang_app::users::actor_by_name(&env.app, &u.username).await.unwrap();
            scopes.push((u.id, a.scope));
        }
        let cadres: Vec<Uuid> = cadre_ids.clone();
        let strategy = actor_spec(&t, cadres.len());
        let users: Vec<Uuid> = scopes.iter().take(USERS).map(|(id, _)| *id).collect();
        let mut partial = Partial::default();
        for _ in 0..ACTORS {
            let spec = draw.one(&strategy);
            let mut a = actor(&t, &cadres, &users, &spec);
            a.role = Role::Admin;
            let sql: BTreeSet<Uuid> =
                dandang_store::users::list_users(db, &a).await.unwrap().iter().map(|u| u.id).collect();
            let rust: BTreeSet<Uuid> =
                scopes.iter().filter(|(id, s)| *id == a.user_id.0 || a.scope.contains(s)).map(|(id, _)| *id).collect();
            partial.note("users", sql.len(), scopes.len());
            agree("users", &a, sql, rust);
        }
        partial.assert_reached(&["users"]);
    })
    .await;
}
