//! The demo deployment: Hubei province with Yichang and Jingzhou, all their
//! counties, a few townships each, units of every type, about 2,000 cadres
//! with appointment histories, and a user for every role.
//!
//! Places and offices are real administrative divisions and the usual organs
//! of each level; every person is invented. Township codes follow the coding
//! rule but are not the official ones. Demo ID numbers use the area prefix
//! 99, which no real division has, so they can never be a real person's.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use dandang_domain::{
    access::Role,
    ids::{CadreId, UnitId},
    registry::{
        Education, IdNumber, JurisdictionCode, JurisdictionLevel, ManagedBy, PostLevel, Rank, Sex, Tier, UnitType,
        jurisdiction_path, unit_path,
    },
    text::name_keys,
};
use dandang_store::{
    entity::{app_user, appointment, cadre, cadre_tag, jurisdiction, post, unit},
    registry, users,
};
use uuid::Uuid;

use dandang_app::{
    App,
    audit::{self, Event},
    auth,
    error::Result,
};

mod measures;
mod supervision;
mod tolerance;

/// Password of every demo account (printed at start).
pub const DEMO_PASSWORD: &str = "Dandang2026";

/// The packs the demo deployment applies (as the repository's dandang.toml
/// says): Hubei's, and Yichang's within Yichang. Used when `serve --demo`
/// runs without a configuration file.
pub fn policy() -> dandang_app::config::PolicyConfig {
    dandang_app::config::PolicyConfig {
        pack: "cn-hb".into(),
        by_jurisdiction: vec![dandang_app::config::PackRule { code_prefix: "4205".into(), pack: "cn-hb-yc".into() }],
    }
}

/// The post a deputy of this head holds, by its real name (副局长, 副主任,
/// 党委副书记 …), never the category "副职".
fn deputy_of(head: &str) -> String {
    match head {
        "常务副部长" => "副部长".into(),
        "常务副主席" => "副主席".into(),
        // A commission's deputy secretaries head its units; below them sit its standing members.
        "副书记" => "常委".into(),
        "董事长" => "副总经理".into(),
        h if h.ends_with("书记") => h.replacen("书记", "副书记", 1),
        h => format!("副{h}"),
    }
}

/// The dataset is generated relative to this day so it is the same on every run.
fn base_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid")
}

/// SplitMix64: small, deterministic, good enough for sample data (the demo
/// and the benchmarks' generated populations).
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "蒋",
    "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪",
    "范", "金", "石", "廖", "贾", "夏", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "雷", "侯", "龙",
    "陶", "黎", "贺", "顾", "毛", "龚", "邵", "万", "严", "覃", "向", "汤", "易", "鲁",
];
const GIVEN_M: &[&str] = &[
    "伟", "强", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "波", "宇", "浩", "凯",
    "健", "俊", "帆", "磊", "林", "峰", "建国", "志强", "海波", "文军", "红兵", "晓东", "国庆", "卫东", "永生", "德明",
    "志刚", "学文", "家俊", "子豪", "振华", "光明", "新民", "兴华", "建平", "长江", "汉生", "楚雄", "荆生", "承志",
];
const GIVEN_F: &[&str] = &[
    "芳", "娟", "敏", "静", "丽", "艳", "玲", "霞", "燕", "红", "婷", "雪", "慧", "琳", "颖", "洁", "倩", "晶", "佳",
    "秀英", "桂兰", "晓燕", "丽华", "春梅", "海燕", "雅琴", "文静", "思雨", "梦洁", "玉兰", "楚楚", "清秀",
];

struct County {
    code: &'static str,
    name: &'static str,
    kind: &'static str,
    towns: &'static [&'static str],
}

const YICHANG: &[County] = &[
    County { code: "420502", name: "西陵区", kind: "区", towns: &["西陵街道", "学院街道", "云集街道"] },
    County {
        code: "420503", name: "伍家岗区", kind: "区", towns: &["大公桥街道", "万寿桥街道", "宝塔河街道"]
    },
    County { code: "420504", name: "点军区", kind: "区", towns: &["点军街道", "桥边镇", "艾家镇"] },
    County { code: "420505", name: "猇亭区", kind: "区", towns: &["古老背街道", "云池街道"] },
    County {
        code: "420506",
        name: "夷陵区",
        kind: "区",
        towns: &["小溪塔街道", "分乡镇", "太平溪镇", "三斗坪镇", "龙泉镇"],
    },
    County { code: "420525", name: "远安县", kind: "县", towns: &["鸣凤镇", "花林寺镇", "旧县镇"] },
    County { code: "420526", name: "兴山县", kind: "县", towns: &["古夫镇", "昭君镇", "峡口镇"] },
    County { code: "420527", name: "秭归县", kind: "县", towns: &["茅坪镇", "归州镇", "屈原镇"] },
    County {
        code: "420528", name: "长阳土家族自治县", kind: "县", towns: &["龙舟坪镇", "高家堰镇", "磨市镇"]
    },
    County {
        code: "420529", name: "五峰土家族自治县", kind: "县", towns: &["渔洋关镇", "五峰镇", "长乐坪镇"]
    },
    County {
        code: "420581", name: "宜都市", kind: "市", towns: &["陆城街道", "红花套镇", "高坝洲镇", "枝城镇"]
    },
    County { code: "420582", name: "当阳市", kind: "市", towns: &["玉阳街道", "坝陵街道", "两河镇"] },
    County {
        code: "420583", name: "枝江市", kind: "市", towns: &["马家店街道", "安福寺镇", "白洋镇", "董市镇"]
    },
];

const JINGZHOU: &[County] = &[
    County {
        code: "421002", name: "沙市区", kind: "区", towns: &["中山街道", "崇文街道", "解放街道", "岑河镇"]
    },
    County {
        code: "421003", name: "荆州区", kind: "区", towns: &["西城街道", "城南街道", "纪南镇", "川店镇"]
    },
    County { code: "421022", name: "公安县", kind: "县", towns: &["斗湖堤镇", "埠河镇", "夹竹园镇"] },
    County { code: "421024", name: "江陵县", kind: "县", towns: &["郝穴镇", "熊河镇", "资市镇"] },
    County {
        code: "421081", name: "石首市", kind: "市", towns: &["绣林街道", "笔架山街道", "高基庙镇"]
    },
    County { code: "421083", name: "洪湖市", kind: "市", towns: &["新堤街道", "峰口镇", "曹市镇"] },
    County { code: "421087", name: "松滋市", kind: "市", towns: &["新江口街道", "南海镇", "八宝镇"] },
    County { code: "421088", name: "监利市", kind: "市", towns: &["容城镇", "朱河镇", "新沟镇"] },
];

/// A leadership post to create and fill: title, level, tier, how many holders.
type PostSpec<'a> = (&'a str, PostLevel, Tier, usize);

struct Builder {
    rng: Rng,
    now: chrono::DateTime<Utc>,
    jurisdictions: Vec<jurisdiction::Model>,
    units: Vec<unit::Model>,
    posts: Vec<post::Model>,
    cadres: Vec<cadre::Model>,
    appointments: Vec<appointment::Model>,
    tags: Vec<cadre_tag::Model>,
    id_seq: u32,
    used_names: std::collections::HashSet<String>,
    careers: Vec<Career>,
}

/// What is needed to draw a cadre's earlier posts.
struct Career {
    cadre_id: Uuid,
    /// The city (first four code digits) the career stays in.
    area: String,
    start_work: NaiveDate,
    tier: Option<Tier>,
    level: Option<PostLevel>,
}

struct Place {
    id: Uuid,
    code: String,
    path: String,
    /// Yichang cadres carry the Yichang pack's local tag.
    yichang: bool,
    minority_share: u64,
}

impl Builder {
    fn jurisdiction(
        &mut self,
        code: &str,
        name: &str,
        level: JurisdictionLevel,
        parent: Option<&Place>,
        order: i32,
    ) -> Place {
        let jc = JurisdictionCode::parse(code, level).expect("demo codes are valid");
        let path = jurisdiction_path(parent.map(|p| p.path.as_str()), &jc);
        let id = Uuid::now_v7();
        self.jurisdictions.push(jurisdiction::Model {
            id,
            code: code.into(),
            name: name.into(),
            level: level.code().into(),
            parent_id: parent.map(|p| p.id),
            path: path.clone(),
            sort_order: order,
            created_at: self.now,
            updated_at: self.now,
        });
        Place {
            id,
            code: code.into(),
            path,
            yichang: code.starts_with("4205"),
            minority_share: parent.map(|p| p.minority_share).unwrap_or(3),
        }
    }

    fn unit(
        &mut self,
        place: &Place,
        name: &str,
        kind: UnitType,
        parent: Option<&unit::Model>,
        order: i32,
    ) -> unit::Model {
        let id = UnitId::new();
        let m = unit::Model {
            id: id.0,
            name: name.into(),
            short_name: None,
            unit_type: kind.code().into(),
            jurisdiction_id: place.id,
            parent_id: parent.map(|p| p.id),
            path: unit_path(parent.map(|p| p.path.as_str()), &id),
            sort_order: order,
            active: true,
            version: 1,
            created_at: self.now,
            updated_at: self.now,
        };
        self.units.push(m.clone());
        m
    }

    fn name(&mut self, sex: Sex) -> String {
        loop {
            let s = *self.rng.pick(SURNAMES);
            let g = if sex == Sex::Male { *self.rng.pick(GIVEN_M) } else { *self.rng.pick(GIVEN_F) };
            let n = format!("{s}{g}");
            // Repeated names exist in real rosters; keep them rare so demo searches stay readable.
            if self.used_names.insert(n.clone()) || self.rng.chance(8) {
                return n;
            }
        }
    }

    /// A cadre holding `title` now, with earlier posts leading up to it.
    #[allow(clippy::too_many_arguments)]
    fn cadre(
        &mut self,
        place: &Place,
        unit: &unit::Model,
        post: Option<&post::Model>,
        title: &str,
        tier: Option<Tier>,
        level: Option<PostLevel>,
        rank: Option<Rank>,
        managed_by: ManagedBy,
    ) -> Uuid {
        let r = &mut self.rng;
        let sex = if r.chance(24) { Sex::Female } else { Sex::Male };
        let (age_lo, age_hi) = match tier {
            Some(Tier::Bureau) => (47, 58),
            Some(Tier::County) => (38, 57),
            _ => (27, 56),
        };
        let age = r.range(age_lo, age_hi);
        let birth = base_day() - Duration::days(age * 365 + r.range(0, 364));
        let ethnicity = if r.chance(place.minority_share) {
            if place.minority_share > 20 {
                "土家族"
            } else {
                *r.pick(&["土家族", "回族", "苗族", "蒙古族"])
            }
        } else {
            "汉族"
        };
        let education = match (tier, r.below(100)) {
            (Some(Tier::Bureau), x) if x < 60 => Education::Postgraduate,
            (Some(Tier::County), x) if x < 40 => Education::Postgraduate,
            (_, x) if x < 15 => Education::Postgraduate,
            (_, x) if x < 85 => Education::Undergraduate,
            _ => Education::College,
        };
        let degree = match education {
            Education::Postgraduate => {
                if r.chance(15) {
                    "doctor"
                } else {
                    "master"
                }
            }
            Education::Undergraduate => "bachelor",
            _ => "none",
        };
        let party = (!r.chance(5)).then(|| birth + Duration::days(r.range(20, 30) * 365 + r.range(0, 300)));
        let party = party.filter(|d| *d < base_day());
        let name = self.name(sex);
        self.id_seq += 1;
        let body = format!(
            "99{}{}{:03}",
            &place.code[2..6],
            birth.format("%Y%m%d"),
            (self.id_seq % 500) * 2 + if sex == Sex::Male { 1 } else { 0 }
        );
        let id_number = IdNumber::from_body(&body).ok().map(|i| i.as_str().to_string());
        let id = CadreId::new().0;
        let keys = name_keys(&name);
        self.cadres.push(cadre::Model {
            id,
            name,
            name_pinyin: keys.pinyin,
            name_initials: keys.initials,
            name_search: keys.search,
            sex: sex.code().into(),
            birth_date: birth,
            id_number,
            ethnicity: ethnicity.into(),
            party_join_date: party,
            education: Some(education.code().into()),
            degree: Some(degree.into()),
            unit_id: unit.id,
            rank: rank.map(|x| x.code().into()),
            managed_by: managed_by.code().into(),
            active: true,
            note: None,
            post_rank: 99,
            version: 1,
            created_at: self.now,
            updated_at: self.now,
        });
        // The current post now; the career leading to it is drawn once every
        // unit and post exists (see `careers`).
        let r = &mut self.rng;
        let start_work = birth + Duration::days(22 * 365 + r.range(0, 700));
        let current_start =
            (base_day() - Duration::days(r.range(60, 8 * 365))).max(start_work + Duration::days(3 * 365));
        self.appointments.push(appointment::Model {
            id: Uuid::now_v7(),
            cadre_id: id,
            unit_id: unit.id,
            post_id: post.map(|p| p.id),
            title: title.into(),
            tier: tier.map(|x| x.code().into()),
            level: level.map(|x| x.code().into()),
            rank: rank.map(|x| x.code().into()),
            start_date: current_start,
            end_date: None,
            reason: String::new(),
            end_reason: None,
            document_ref: Some(format!("{}组干〔{}〕{}号", doc_prefix(place), current_start.year(), r.range(1, 120))),
            created_at: self.now,
        });
        self.careers.push(Career { cadre_id: id, area: place.code[..4].to_string(), start_work, tier, level });
        // Experience tags.
        let mut tags = Vec::new();
        let county_level = matches!(tier, Some(Tier::Township) | None) || place.code.len() == 9;
        if r.chance(if county_level { 75 } else { 45 }) {
            tags.push("experience_tag.grassroots");
        }
        if r.chance(30) {
            tags.push("experience_tag.frontline");
        }
        if r.chance(if place.minority_share > 20 { 40 } else { 8 }) {
            tags.push("experience_tag.hardship");
        }
        if r.chance(15) {
            tags.push("experience_tag.secondment");
        }
        if matches!(tier, Some(Tier::Bureau) | Some(Tier::County))
            && level == Some(PostLevel::Principal)
            && r.chance(50)
        {
            tags.push("experience_tag.lower_principal");
        }
        if place.yichang && r.chance(12) {
            tags.push("experience_tag.investment_frontline");
        }
        for t in tags {
            self.tags.push(cadre_tag::Model { cadre_id: id, tag: t.into() });
        }
        id
    }

    /// Creates the unit's posts and fills each with new cadres.
    fn staff(
        &mut self,
        place: &Place,
        unit: &unit::Model,
        specs: &[PostSpec<'_>],
        managed: impl Fn(Tier) -> ManagedBy,
    ) {
        for (i, (title, level, tier, n)) in specs.iter().enumerate() {
            let p = post::Model {
                id: Uuid::now_v7(),
                unit_id: unit.id,
                title: (*title).into(),
                level: level.code().into(),
                tier: tier.code().into(),
                sort_order: i as i32,
                active: true,
                created_at: self.now,
            };
            self.posts.push(p.clone());
            for _ in 0..*n {
                self.cadre(place, unit, Some(&p), title, Some(*tier), Some(*level), None, managed(*tier));
            }
        }
    }

    fn rank_only(&mut self, place: &Place, unit: &unit::Model, rank: Rank, managed_by: ManagedBy) {
        self.cadre(place, unit, None, rank.label_zh(), None, None, Some(rank), managed_by);
    }
}

impl Builder {
    /// Each cadre's roster key from their current posts.
    fn rank_cadres(&mut self) {
        let mut best: std::collections::HashMap<Uuid, i32> = Default::default();
        for a in self.appointments.iter().filter(|a| a.end_date.is_none()) {
            let r = dandang_domain::registry::post_rank(
                a.tier.as_deref().and_then(|t| Tier::parse(t).ok()),
                a.level.as_deref().and_then(|l| PostLevel::parse(l).ok()),
            );
            let e = best.entry(a.cadre_id).or_insert(99);
            *e = (*e).min(r);
        }
        for c in &mut self.cadres {
            c.post_rank = best.get(&c.id).copied().unwrap_or(99);
        }
    }
}

/// Rungs of the ladder below a current post, lowest first.
fn ladder(tier: Option<Tier>, level: Option<PostLevel>) -> Vec<(Tier, PostLevel)> {
    use PostLevel::{Deputy, Principal};
    use Tier::{Bureau, County, Township};
    let full = [
        (Township, Deputy),
        (Township, Principal),
        (County, Deputy),
        (County, Principal),
        (Bureau, Deputy),
        (Bureau, Principal),
    ];
    let Some(t) = tier else { return vec![(Township, Deputy)] };
    let here = full.iter().position(|x| *x == (t, level.unwrap_or(Deputy))).unwrap_or(0);
    full[here.saturating_sub(3)..here].to_vec()
}

impl Builder {
    /// Earlier posts for every cadre: real posts of the same area one or two
    /// rungs lower, each held at least two years, starting from a clerk's post.
    fn careers(&mut self) {
        let unit_area: std::collections::HashMap<Uuid, String> = self
            .units
            .iter()
            .map(|u| {
                let code = self
                    .jurisdictions
                    .iter()
                    .find(|j| j.id == u.jurisdiction_id)
                    .map(|j| j.code.clone())
                    .unwrap_or_default();
                (u.id, code[..4].to_string())
            })
            .collect();
        let mut pool: std::collections::HashMap<(String, String, String), Vec<usize>> = Default::default();
        for (i, p) in self.posts.iter().enumerate() {
            let area = unit_area[&p.unit_id].clone();
            pool.entry((area, p.tier.clone(), p.level.clone())).or_default().push(i);
        }
        let careers = std::mem::take(&mut self.careers);
        for c in &careers {
            let current = self
                .appointments
                .iter()
                .position(|a| a.cadre_id == c.cadre_id && a.end_date.is_none())
                .expect("current post recorded");
            let current_start = self.appointments[current].start_date;
            let years = (current_start - c.start_work).num_days() / 365;
            let mut rungs = ladder(c.tier, c.level);
            // At least two years on each rung, the clerk's post included.
            while !rungs.is_empty() && (rungs.len() as i64 + 1) * 2 > years {
                rungs.remove(0);
            }
            let steps = rungs.len() + 1;
            let span = (current_start - c.start_work).num_days();
            let mut starts = vec![c.start_work];
            for k in 1..steps {
                let base = span * k as i64 / steps as i64;
                starts.push(c.start_work + Duration::days(base + self.rng.range(-90, 90)));
            }
            let mut history: Vec<appointment::Model> = Vec::new();
            for (k, start) in starts.iter().enumerate() {
                let end = starts.get(k + 1).copied().unwrap_or(current_start) - Duration::days(1);
                let (unit_id, post_id, title, tier, level) = if k == 0 {
                    let area_units: Vec<&unit::Model> =
                        self.units.iter().filter(|u| unit_area[&u.id] == c.area || c.area.ends_with("00")).collect();
                    let u = area_units[self.rng.below(area_units.len() as u64) as usize];
                    (u.id, None, "科员".to_string(), None, None)
                } else {
                    let (t, l) = rungs[k - 1];
                    let key = (c.area.clone(), t.code().to_string(), l.code().to_string());
                    let candidates = pool
                        .get(&key)
                        .or_else(|| pool.iter().find(|(k, _)| k.1 == key.1 && k.2 == key.2).map(|(_, v)| v));
                    match candidates {
                        Some(v) if !v.is_empty() => {
                            let p = &self.posts[v[self.rng.below(v.len() as u64) as usize]];
                            (
                                p.unit_id,
                                Some(p.id),
                                p.title.clone(),
                                Some(t.code().to_string()),
                                Some(l.code().to_string()),
                            )
                        }
                        _ => continue,
                    }
                };
                let reason = if k == 0 {
                    "录用".to_string()
                } else if history.last().is_some_and(|h| h.level == level && h.tier == tier) {
                    "平职交流".to_string()
                } else {
                    "提拔".to_string()
                };
                if let Some(prev) = history.last_mut() {
                    prev.end_reason = Some(if reason == "提拔" { "提拔" } else { "交流" }.to_string());
                }
                history.push(appointment::Model {
                    id: Uuid::now_v7(),
                    cadre_id: c.cadre_id,
                    unit_id,
                    post_id,
                    title,
                    tier,
                    level,
                    rank: None,
                    start_date: *start,
                    end_date: Some(end.max(*start)),
                    reason,
                    end_reason: None,
                    document_ref: None,
                    created_at: self.now,
                });
            }
            let cur = &mut self.appointments[current];
            let promoted = history.last().is_none_or(|h| h.tier != cur.tier || h.level != cur.level);
            cur.reason = if cur.tier.is_none() {
                "职级晋升".into()
            } else if promoted {
                "提拔".into()
            } else {
                "平职交流".into()
            };
            if let Some(prev) = history.last_mut() {
                prev.end_reason = Some(if promoted { "提拔" } else { "交流" }.to_string());
            }
            self.appointments.extend(history);
        }
    }
}

fn doc_prefix(p: &Place) -> &'static str {
    if p.code.starts_with("4205") {
        "宜"
    } else if p.code.starts_with("4210") {
        "荆"
    } else {
        "鄂"
    }
}

fn by_tier(t: Tier) -> ManagedBy {
    match t {
        Tier::Provincial | Tier::Bureau => ManagedBy::Province,
        Tier::County => ManagedBy::City,
        Tier::Township => ManagedBy::County,
    }
}

use PostLevel::{Deputy as D, Principal as P};
use Tier::{Bureau as B, County as C, Township as T};

fn build() -> Builder {
    let mut b = Builder {
        rng: Rng(20_260_630),
        now: Utc::now(),
        jurisdictions: vec![],
        units: vec![],
        posts: vec![],
        cadres: vec![],
        appointments: vec![],
        tags: vec![],
        id_seq: 0,
        used_names: Default::default(),
        careers: vec![],
    };
    let hubei = b.jurisdiction("420000", "湖北省", JurisdictionLevel::Province, None, 0);

    // Provincial organs, universities and a provincial SOE: province-managed leaders.
    let province_units: &[(&str, UnitType)] = &[
        ("中共湖北省委办公厅", UnitType::PartyOrgan),
        ("中共湖北省委组织部", UnitType::PartyOrgan),
        ("湖北省纪委监委", UnitType::PartyOrgan),
        ("湖北省人民政府办公厅", UnitType::GovernmentOrgan),
        ("湖北省发展和改革委员会", UnitType::GovernmentOrgan),
        ("湖北省财政厅", UnitType::GovernmentOrgan),
        ("湖北省教育厅", UnitType::GovernmentOrgan),
        ("湖北省交通运输厅", UnitType::GovernmentOrgan),
        ("湖北省生态环境厅", UnitType::GovernmentOrgan),
        ("湖北省农业农村厅", UnitType::GovernmentOrgan),
        ("湖北省人大常委会办公厅", UnitType::CongressCppcc),
        ("湖北省高级人民法院", UnitType::JudicialOrgan),
        ("湖北省总工会", UnitType::MassOrganization),
        ("湖北省疾病预防控制中心", UnitType::PublicInstitution),
    ];
    for (i, (name, kind)) in province_units.iter().enumerate() {
        let u = b.unit(&hubei, name, *kind, None, i as i32);
        let head = match *kind {
            UnitType::GovernmentOrgan if name.ends_with("委员会") => "主任",
            UnitType::GovernmentOrgan => "厅长",
            UnitType::JudicialOrgan => "院长",
            UnitType::MassOrganization => "常务副主席",
            UnitType::PublicInstitution => "主任",
            _ => {
                if name.contains("纪委") {
                    "副书记"
                } else {
                    "常务副部长"
                }
            }
        };
        b.staff(&hubei, &u, &[(head, P, B, 1), (&deputy_of(head), D, B, 3)], by_tier);
        b.rank_only(&hubei, &u, Rank::Inspector2, ManagedBy::Province);
    }
    for (i, name) in ["三峡大学", "长江大学"].iter().enumerate() {
        let u = b.unit(&hubei, name, UnitType::University, None, 100 + i as i32);
        b.staff(&hubei, &u, &[("党委书记", P, B, 1), ("校长", P, B, 1), ("副校长", D, B, 4)], by_tier);
    }
    let soe = b.unit(&hubei, "湖北省交通投资集团有限公司", UnitType::Soe, None, 200);
    b.staff(&hubei, &soe, &[("党委书记、董事长", P, B, 1), ("总经理", P, B, 1), ("副总经理", D, B, 3)], by_tier);

    for (ci, (code, name, counties, short)) in
        [("420500", "宜昌市", YICHANG, "宜昌"), ("421000", "荆州市", JINGZHOU, "荆州")].into_iter().enumerate()
    {
        let city = b.jurisdiction(code, name, JurisdictionLevel::City, Some(&hubei), ci as i32);
        let cw = b.unit(&city, &format!("中共{name}委员会"), UnitType::PartyOrgan, None, 0);
        b.staff(&city, &cw, &[("市委书记", P, B, 1), ("市委副书记", D, B, 2), ("市委常委", D, B, 5)], by_tier);
        let gov = b.unit(&city, &format!("{name}人民政府"), UnitType::GovernmentOrgan, None, 1);
        b.staff(&city, &gov, &[("市长", P, B, 1), ("副市长", D, B, 5)], by_tier);
        let departments: &[(&str, UnitType, &str)] = &[
            ("中共{}委办公室", UnitType::PartyOrgan, "主任"),
            ("中共{}委组织部", UnitType::PartyOrgan, "常务副部长"),
            ("中共{}委宣传部", UnitType::PartyOrgan, "常务副部长"),
            ("{}纪委监委", UnitType::PartyOrgan, "副书记"),
            ("{}人民政府办公室", UnitType::GovernmentOrgan, "主任"),
            ("{}发展和改革委员会", UnitType::GovernmentOrgan, "主任"),
            ("{}财政局", UnitType::GovernmentOrgan, "局长"),
            ("{}教育局", UnitType::GovernmentOrgan, "局长"),
            ("{}住房和城乡建设局", UnitType::GovernmentOrgan, "局长"),
            ("{}交通运输局", UnitType::GovernmentOrgan, "局长"),
            ("{}生态环境局", UnitType::GovernmentOrgan, "局长"),
            ("{}农业农村局", UnitType::GovernmentOrgan, "局长"),
            ("{}商务局", UnitType::GovernmentOrgan, "局长"),
            ("{}应急管理局", UnitType::GovernmentOrgan, "局长"),
            ("{}人大常委会办公室", UnitType::CongressCppcc, "主任"),
            ("{}中级人民法院", UnitType::JudicialOrgan, "院长"),
            ("共青团{}委员会", UnitType::MassOrganization, "书记"),
            ("{}中心医院", UnitType::PublicInstitution, "院长"),
            ("{}城市建设投资控股集团有限公司", UnitType::Soe, "董事长"),
        ];
        for (i, (pattern, kind, head)) in departments.iter().enumerate() {
            let uname = pattern
                .replace("{}", if pattern.starts_with("中共") || pattern.starts_with("共青团") { short } else { name });
            let uname =
                if uname.starts_with("中共") { uname.replacen(short, &format!("{short}市"), 1) } else { uname };
            let u = b.unit(&city, &uname, *kind, None, 10 + i as i32);
            let deputy = deputy_of(head);
            b.staff(&city, &u, &[(head, P, C, 1), (&deputy, D, C, 3)], by_tier);
            b.rank_only(&city, &u, Rank::Researcher2, ManagedBy::City);
            if b.rng.chance(60) {
                b.rank_only(&city, &u, Rank::Researcher4, ManagedBy::City);
            }
            if i == 0 {
                // The supervision office sits in the party committee's general office.
                let ds = b.unit(&city, &format!("中共{short}市委督查室"), UnitType::PartyOrgan, Some(&u), 10);
                b.staff(&city, &ds, &[("主任", P, C, 1), ("副主任", D, T, 2)], by_tier);
            }
        }
        for (ki, k) in counties.iter().enumerate() {
            let minority = if k.name.contains("土家族") { 55 } else { 3 };
            let mut county = b.jurisdiction(k.code, k.name, JurisdictionLevel::County, Some(&city), ki as i32);
            county.minority_share = minority;
            let (cw_title, gov_head) = match k.kind {
                "区" => ("区委", "区长"),
                "县" => ("县委", "县长"),
                _ => ("市委", "市长"),
            };
            let cw = b.unit(&county, &format!("中共{}委员会", k.name), UnitType::PartyOrgan, None, 0);
            b.staff(
                &county,
                &cw,
                &[
                    (&format!("{cw_title}书记"), P, C, 1),
                    (&format!("{cw_title}副书记"), D, C, 2),
                    (&format!("{cw_title}常委"), D, C, 4),
                ],
                by_tier,
            );
            let gov = b.unit(&county, &format!("{}人民政府", k.name), UnitType::GovernmentOrgan, None, 1);
            b.staff(&county, &gov, &[(gov_head, P, C, 1), (&format!("副{gov_head}"), D, C, 4)], by_tier);
            let depts = [
                ("中共{}委组织部", UnitType::PartyOrgan, "部长"),
                ("{}纪委监委", UnitType::PartyOrgan, "副书记"),
                ("{}发展和改革局", UnitType::GovernmentOrgan, "局长"),
                ("{}财政局", UnitType::GovernmentOrgan, "局长"),
                ("{}教育局", UnitType::GovernmentOrgan, "局长"),
                ("{}农业农村局", UnitType::GovernmentOrgan, "局长"),
                ("{}住房和城乡建设局", UnitType::GovernmentOrgan, "局长"),
                ("{}应急管理局", UnitType::GovernmentOrgan, "局长"),
                ("{}人民医院", UnitType::PublicInstitution, "院长"),
            ];
            for (di, (pattern, kind, head)) in depts.iter().enumerate() {
                // The full name of the county, as its bodies are named (中共五峰土家族自治县委组织部).
                let uname = pattern.replace("{}", k.name);
                let u = b.unit(&county, &uname, *kind, None, 10 + di as i32);
                let deputy = deputy_of(head);
                let deputies = 2 + (b.rng.below(2) as usize);
                // The organization department head and the discipline deputy sit on the county standing committee level.
                let tier = if di < 2 { C } else { T };
                b.staff(&county, &u, &[(head, P, tier, 1), (&deputy, D, T, deputies)], by_tier);
                if b.rng.chance(75) {
                    b.rank_only(&county, &u, Rank::PrincipalStaff1, ManagedBy::County);
                }
            }
            for (ti, town) in k.towns.iter().enumerate() {
                let street = town.ends_with("街道");
                let tcode = format!("{}{:03}", k.code, if street { 1 + ti } else { 100 + ti });
                let mut place = b.jurisdiction(&tcode, town, JurisdictionLevel::Township, Some(&county), ti as i32);
                place.minority_share = minority;
                let (pw, gov_name, chief) = if street {
                    (format!("中共{}{}工作委员会", k.name, town), format!("{}{}办事处", k.name, town), "主任")
                } else {
                    (format!("中共{}{}委员会", k.name, town), format!("{}{}人民政府", k.name, town), "镇长")
                };
                let pu = b.unit(&place, &pw, UnitType::PartyOrgan, None, 0);
                b.staff(
                    &place,
                    &pu,
                    &[("党（工）委书记", P, T, 1), ("党（工）委副书记", D, T, 1), ("党（工）委委员", D, T, 2)],
                    by_tier,
                );
                let gu = b.unit(&place, &gov_name, UnitType::GovernmentOrgan, None, 1);
                let deputy: &'static str = if chief == "主任" { "副主任" } else { "副镇长" };
                b.staff(&place, &gu, &[(chief, P, T, 1), (deputy, D, T, 3)], by_tier);
            }
        }
    }
    b.careers();
    b.rank_cadres();
    b
}

/// A demo account and the scope it is given.
struct Account {
    username: &'static str,
    display_name: &'static str,
    role: Role,
    /// Division code of the scope root; none for the whole deployment.
    jurisdiction: Option<&'static str>,
    managed_by: &'static str,
    /// For unit-bound roles.
    unit: Option<&'static str>,
}

const fn acct(
    username: &'static str,
    display_name: &'static str,
    role: Role,
    jurisdiction: Option<&'static str>,
    managed_by: &'static str,
    unit: Option<&'static str>,
) -> Account {
    Account { username, display_name, role, jurisdiction, managed_by, unit }
}

const ACCOUNTS: &[Account] = &[
    acct("admin", "系统管理员", Role::Admin, None, "province,city,county", None),
    acct("sheng_ganbu", "省委组织部干部处", Role::OrgCadre, Some("420000"), "province", None),
    acct("yc_ganbu", "宜昌市委组织部干部科", Role::OrgCadre, Some("420500"), "city", None),
    acct("yc_jiandu", "宜昌市委组织部干部监督科", Role::OrgSupervision, Some("420500"), "city,county", None),
    acct("yc_jiwei", "宜昌市纪委监委", Role::DisciplineCommission, Some("420500"), "city,county", None),
    acct("yc_ducha", "宜昌市委督查室", Role::SupervisionOffice, Some("420500"), "city,county", None),
    acct("yc_lingdao", crate::supervision::DEMO_LEADER, Role::Leader, Some("420500"), "city,county", None),
    acct("yl_ganbu", "夷陵区委组织部", Role::OrgCadre, Some("420506"), "county", None),
    acct("yl_admin", "夷陵区系统管理员", Role::Admin, Some("420506"), "county", None),
    acct("jz_ganbu", "荆州市委组织部干部科", Role::OrgCadre, Some("421000"), "city", None),
    acct(
        "yc_fgw",
        "宜昌市发改委党组",
        Role::UnitPartyCommittee,
        Some("420500"),
        "province,city,county",
        Some("宜昌市发展和改革委员会"),
    ),
    acct("yc_xuncha", "宜昌市委巡察办", Role::InspectionOffice, Some("420500"), "city,county", None),
    acct("yc_shenji", "宜昌市审计局", Role::AuditBureau, Some("420500"), "city,county", None),
    acct("auditor", "安全审计员", Role::Auditor, None, "", None),
];

#[derive(Clone, Debug, serde::Serialize)]
pub struct DemoAccount {
    pub username: String,
    pub display_name: String,
    pub role_label: String,
    pub scope: String,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct DemoSummary {
    pub loaded_now: bool,
    pub jurisdictions: usize,
    pub units: usize,
    pub cadres: usize,
    pub appointments: usize,
    pub measures: usize,
    pub supervised_items: usize,
    pub interviews: usize,
    pub supervision_cases: usize,
    pub tolerance_cases: usize,
    pub library_cases: usize,
    pub accounts: Vec<DemoAccount>,
}

/// Loads the demo deployment into an empty database; on a database that
/// already holds it, only lists the accounts.
pub async fn load(app: &App) -> Result<DemoSummary> {
    let db = app.db().read();
    let already =
        users::user_by_name(db, "admin").await?.is_some() || registry::jurisdiction_code_taken(db, "420000").await?;
    let mut summary = DemoSummary {
        loaded_now: false,
        jurisdictions: 0,
        units: 0,
        cadres: 0,
        appointments: 0,
        measures: 0,
        supervised_items: 0,
        interviews: 0,
        supervision_cases: 0,
        tolerance_cases: 0,
        library_cases: 0,
        accounts: vec![],
    };
    if !already {
        let b = build();
        let cost = app.config().password_hash.clone();
        let hash = auth::hash_password(&cost, DEMO_PASSWORD).await?;
        let tx = app.db().write().await?;
        for j in &b.jurisdictions {
            registry::insert_jurisdiction(&tx, j.clone()).await?;
        }
        for u in &b.units {
            registry::insert_unit(&tx, u.clone()).await?;
        }
        for p in &b.posts {
            registry::insert_post(&tx, p.clone()).await?;
        }
        registry::insert_cadres(&tx, b.cadres.clone()).await?;
        registry::insert_appointments(&tx, b.appointments.clone()).await?;
        registry::insert_tags(&tx, b.tags.clone()).await?;
        // A self-service account for one cadre of the Yichang DRC.
        let drc = b.units.iter().find(|u| u.name == "宜昌市发展和改革委员会").expect("demo unit");
        let self_cadre = b.cadres.iter().find(|c| c.unit_id == drc.id && c.managed_by == "city").expect("demo cadre");
        let now = Utc::now();
        let user = |username: &str,
                    display: &str,
                    role: Role,
                    j: Option<Uuid>,
                    mb: &str,
                    unit: Option<Uuid>,
                    cadre: Option<Uuid>| app_user::Model {
            id: Uuid::now_v7(),
            username: username.into(),
            display_name: display.into(),
            password_hash: hash.clone(),
            role: role.code().into(),
            jurisdiction_id: j,
            managed_by: mb.into(),
            unit_id: unit,
            cadre_id: cadre,
            active: true,
            failed_logins: 0,
            locked_until: None,
            must_change_password: false,
            password_changed_at: now,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        for a in ACCOUNTS {
            let j = a.jurisdiction.and_then(|c| b.jurisdictions.iter().find(|j| j.code == c)).map(|j| j.id);
            let unit = a.unit.and_then(|n| b.units.iter().find(|x| x.name == n)).map(|x| x.id);
            users::insert_user(&tx, user(a.username, a.display_name, a.role, j, a.managed_by, unit, None)).await?;
        }
        let yc = b.jurisdictions.iter().find(|j| j.code == "420500").map(|j| j.id);
        users::insert_user(
            &tx,
            user("ganbu_self", &self_cadre.name, Role::Cadre, yc, "city", None, Some(self_cadre.id)),
        )
        .await?;
        audit::record_anonymous(
            app,
            &tx,
            "system",
            Event::new("system.demo", "deployment", "", audit::Place::deployment()).after(&serde_json::json!({
                "jurisdictions": b.jurisdictions.len(), "units": b.units.len(), "posts": b.posts.len(),
                "cadres": b.cadres.len(), "appointments": b.appointments.len(),
            })),
            None,
        )
        .await?;
        tx.commit().await?;
        if let Err(e) = app.db().analyze(dandang_store::db::REGISTRY_TABLES).await {
            tracing::warn!(error = %e, "analyze after demo load failed");
        }
        let units: Vec<(String, Uuid)> = b.units.iter().map(|u| (u.name.clone(), u.id)).collect();
        summary.measures = crate::measures::load(app, &b.cadres, &units).await?;
        // One city-managed cadre of the commerce bureau is interviewed three times within a year.
        let commerce = units.iter().find(|(n, _)| n == "宜昌市商务局").map(|(_, id)| *id);
        let interviewee = b.cadres.iter().find(|c| Some(c.unit_id) == commerce && c.managed_by == "city").map(|c| c.id);
        let (items, interviews) = crate::supervision::load(app, &units, interviewee).await?;
        summary.supervised_items = items;
        summary.interviews = interviews;
        // Reminders and interviews in every state: the development and reform
        // commission first (its party committee has a demo account), then one
        // city-managed cadre of each other city bureau.
        let fgw = units.iter().find(|(n, _)| n == "宜昌市发展和改革委员会").map(|(_, id)| *id);
        let mut subjects: Vec<(Uuid, Uuid)> = Vec::new();
        for (_, uid) in units.iter().filter(|(n, _)| n.starts_with("宜昌市") && n.ends_with('局')) {
            if let Some(c) =
                b.cadres.iter().find(|c| c.unit_id == *uid && c.managed_by == "city" && Some(c.id) != interviewee)
            {
                subjects.push((c.id, *uid));
            }
        }
        if let Some(c) = b.cadres.iter().find(|c| Some(c.unit_id) == fgw && c.managed_by == "city") {
            subjects.insert(0, (c.id, c.unit_id));
        }
        summary.supervision_cases = crate::supervision::load_cases(app, &subjects).await?;
        let people: Vec<Uuid> = subjects.iter().map(|(c, _)| *c).skip(1).collect();
        (summary.library_cases, summary.tolerance_cases) = crate::tolerance::load(app, &people).await?;
        summary.loaded_now = true;
        summary.jurisdictions = b.jurisdictions.len();
        summary.units = b.units.len();
        summary.cadres = b.cadres.len();
        summary.appointments = b.appointments.len();
    }
    let admin = dandang_app::users::actor_by_name(app, "admin").await?;
    for u in dandang_app::users::list(app, &admin).await? {
        let scope = if u.cadre_id.is_some() && u.role == Role::Cadre.code() {
            "本人档案".to_string()
        } else {
            let unit = u.unit_name.as_deref().map(|n| format!("，{n}")).unwrap_or_default();
            let mb = &u.managed_by_label;
            format!("{}{unit}{}", u.jurisdiction_name, if mb.is_empty() { String::new() } else { format!("（{mb}）") })
        };
        summary.accounts.push(DemoAccount {
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role_label: u.role_label.clone(),
            scope,
        });
    }
    // The demo's events are in the chain before anyone reads it.
    dandang_app::audit::flush(app).await?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deputies_hold_real_posts() {
        for (head, deputy) in [
            ("局长", "副局长"),
            ("主任", "副主任"),
            ("院长", "副院长"),
            ("厅长", "副厅长"),
            ("部长", "副部长"),
            ("常务副部长", "副部长"),
            ("常务副主席", "副主席"),
            ("书记", "副书记"),
            ("党委书记", "党委副书记"),
            ("副书记", "常委"),
            ("董事长", "副总经理"),
        ] {
            assert_eq!(deputy_of(head), deputy, "{head}");
        }
    }

    #[test]
    fn demo_is_deterministic_and_sized() {
        let a = build();
        let b = build();
        assert_eq!(a.cadres.len(), b.cadres.len());
        assert_eq!(
            a.cadres.iter().map(|c| &c.name).collect::<Vec<_>>(),
            b.cadres.iter().map(|c| &c.name).collect::<Vec<_>>()
        );
        assert!((1800..=2300).contains(&a.cadres.len()), "{} cadres", a.cadres.len());
        for t in UnitType::ALL {
            assert!(a.units.iter().any(|u| u.unit_type == t.code()), "no unit of type {t:?}");
        }
        // Every ID number is valid and fictional; histories never run backwards.
        for c in &a.cadres {
            let id = IdNumber::parse(c.id_number.as_deref().unwrap()).unwrap();
            assert!(id.as_str().starts_with("99"));
            assert_eq!(id.birth_date(), Some(c.birth_date));
        }
        for ap in &a.appointments {
            assert!(ap.end_date.is_none_or(|e| e >= ap.start_date), "{ap:?}");
            assert!(ap.start_date <= base_day());
        }
        let mut seen = std::collections::HashSet::new();
        for c in &a.cadres {
            assert!(seen.insert(c.id_number.clone()), "duplicate id number");
        }
    }
}
