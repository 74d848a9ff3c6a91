//! Checking cadre rows against the registry (ID numbers, units, scope).

use super::*;

pub(super) struct CadrePlanRow {
    pub(super) cadre: cadre::Model,
    pub(super) tags: Vec<String>,
    pub(super) appointment: Option<appointment::Model>,
}

pub(super) async fn prepare_cadres(
    app: &App,
    actor: &Actor,
    t: &Table,
    c: &impl ConnectionTrait,
) -> Result<(Option<Plan>, Problems)> {
    let today = clock::today();
    let mut problems = Problems::new();
    let mut unit_names = HashSet::new();
    let mut id_numbers = Vec::new();
    for (_, cells) in &t.rows {
        if let Ok(Some(u)) = t.text(cells, "unit") {
            unit_names.insert(u);
        }
        if let Ok(Some(i)) = t.text(cells, "id_number") {
            id_numbers.push(i.to_uppercase());
        }
    }
    let units = units_by_name(c, actor, unit_names).await?;
    let existing: HashSet<String> = registry::id_numbers_taken(c, &id_numbers, None).await?.into_iter().collect();
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    let mut tag_cache: HashMap<String, Vec<(String, String)>> = HashMap::new();
    let label = header_label(t.kind);
    let mut plan = Vec::with_capacity(t.rows.len());
    for (row, cells) in &t.rows {
        let row = *row;
        let mut get = |k: &str| cell_text(t, cells, row, k, &mut problems);
        let (name, sex, birth, idn, eth, party, edu, deg, rank, managed, note) = (
            get("name"),
            get("sex"),
            get("birth_date"),
            get("id_number"),
            get("ethnicity"),
            get("party_join_date"),
            get("education"),
            get("degree"),
            get("rank"),
            get("managed_by"),
            get("note"),
        );
        let (unit_name, title, tier, level, since, tags) =
            (get("unit"), get("title"), get("tier"), get("level"), get("since"), get("tags"));
        let raw = RawCadre {
            name: name.as_deref().unwrap_or(""),
            sex: sex.as_deref().unwrap_or(""),
            birth_date: birth.as_deref().unwrap_or(""),
            id_number: idn.as_deref(),
            ethnicity: eth.as_deref().unwrap_or(""),
            party_join_date: party.as_deref(),
            education: edu.as_deref(),
            degree: deg.as_deref(),
            rank: rank.as_deref(),
            managed_by: managed.as_deref().unwrap_or(""),
            note: note.as_deref(),
        };
        let mut inv = Invalid::new();
        let fields = parse_fields(&raw, today, &mut inv, &label);
        problems_from(t, row, inv, &mut problems);
        let unit = match unit_name.as_deref() {
            None => {
                problems.push(t.problem(row, "unit", "“工作单位”不能为空".into()));
                None
            }
            Some(u) => match units.get(u) {
                None => {
                    problems.push(t.problem(
                        row,
                        "unit",
                        format!("“工作单位”在您的管理范围内找不到单位“{u}”，请核对全称或先建立该单位"),
                    ));
                    None
                }
                Some(x) => Some(x),
            },
        };
        if let Some(f) = &fields {
            if !actor.scope.managed_by.contains(&f.managed_by) {
                problems.push(t.problem(row, "managed_by", format!("您无权录入“{}”干部", f.managed_by.label_zh())));
            }
            if let Some(idn) = &f.id_number {
                if let Some(first) = seen_ids.get(idn.as_str()) {
                    problems.push(t.problem(
                        row,
                        "id_number",
                        format!("“公民身份号码”{}", Problem::DuplicateInFile { first_row: *first }.message_zh()),
                    ));
                } else {
                    seen_ids.insert(idn.as_str().to_string(), row);
                }
                if existing.contains(idn.as_str()) {
                    problems.push(t.problem(
                        row,
                        "id_number",
                        format!("“公民身份号码”{}", crate::registry::cadres::id_number_taken().message_zh()),
                    ));
                }
            }
        }
        let mut tag_codes = Vec::new();
        if let (Some(tags), Some(u)) = (&tags, unit) {
            let known = tag_cache.entry(u.jurisdiction_code.clone()).or_insert_with(|| {
                let pack = app.policy().pack_for(&u.jurisdiction_code);
                app.policy().experience_tags(pack, today)
            });
            for tag in tags.split(['、', ',', '，', ';', '；']).map(str::trim).filter(|s| !s.is_empty()) {
                match known.iter().find(|(code, title)| code == tag || title == tag) {
                    Some((code, _)) if !tag_codes.contains(code) => tag_codes.push(code.clone()),
                    Some(_) => {}
                    None => problems.push(t.problem(
                        row,
                        "tags",
                        format!(
                            "“经历标签”中的“{tag}”不在本地规则包的标签清单中，可选：{}",
                            known.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join("、")
                        ),
                    )),
                }
            }
        }
        let mut appt_parts = None;
        match (&title, &since) {
            (None, Some(_)) => problems.push(t.problem(row, "title", "填写了“任现职时间”但“现任职务”为空".into())),
            (Some(_), None) => problems.push(t.problem(row, "since", "填写“现任职务”时“任现职时间”不能为空".into())),
            (Some(title), Some(since)) => {
                let d = text::parse_date(since).and_then(|d| text::not_future(d, today));
                let tier = tier.as_deref().map(Tier::parse).transpose();
                let level = level.as_deref().map(PostLevel::parse).transpose();
                match (&d, &tier, &level) {
                    (Ok(d), Ok(tier), Ok(level)) => {
                        if fields.as_ref().is_some_and(|f| *d <= f.birth_date) {
                            problems.push(t.problem(row, "since", "“任现职时间”不能早于出生日期".into()));
                        } else if title.chars().count() > 64 {
                            problems.push(t.problem(row, "title", "“现任职务”不能超过 64 个字".into()));
                        } else {
                            appt_parts = Some((title.clone(), *d, *tier, *level));
                        }
                    }
                    _ => {
                        if let Err(p) = d {
                            problems.push(t.problem(row, "since", format!("“任现职时间”{}", p.message_zh())));
                        }
                        if let Err(p) = tier {
                            problems.push(t.problem(row, "tier", format!("“职务层次”{}", p.message_zh())));
                        }
                        if let Err(p) = level {
                            problems.push(t.problem(row, "level", format!("“正副职”{}", p.message_zh())));
                        }
                    }
                }
            }
            (None, None) => {
                if tier.is_some() || level.is_some() {
                    problems.push(t.problem(row, "title", "填写了“职务层次”或“正副职”但“现任职务”为空".into()));
                }
            }
        }
        if !problems.is_empty() {
            continue;
        }
        let (f, u) = (fields.expect("no problems"), unit.expect("no problems"));
        let id = CadreId::new().0;
        let mut m = new_model(id, &f, u.id);
        if let Some((_, _, tier, level)) = &appt_parts {
            m.post_rank = dandang_domain::registry::post_rank(*tier, *level);
        }
        let appointment = appt_parts.map(|(title, since, tier, level)| appointment::Model {
            id: Uuid::now_v7(),
            cadre_id: id,
            unit_id: u.id,
            post_id: None,
            title,
            tier: tier.map(|x| x.code().into()),
            level: level.map(|x| x.code().into()),
            rank: None,
            start_date: since,
            end_date: None,
            reason: "名册导入（现任）".into(),
            end_reason: None,
            document_ref: None,
            created_at: Utc::now(),
        });
        plan.push(CadrePlanRow { cadre: m, tags: tag_codes, appointment });
    }
    if problems.is_empty() { Ok((Some(Plan::Cadres(plan)), problems)) } else { Ok((None, problems)) }
}
