//! Checking supervised-item rows (lead and co-units, milestones).

use super::*;

/// "完成方案 2026-03-31；开工 2026-06-30" → milestones; the date is the last word.
pub(super) fn parse_milestones(s: &str) -> std::result::Result<Vec<crate::supervision::MilestoneInput>, String> {
    s.split(['；', ';', '\n'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|part| match part.rsplit_once(char::is_whitespace) {
            Some((title, due)) if !title.trim().is_empty() => {
                Ok(crate::supervision::MilestoneInput { title: title.trim().into(), due: due.trim().into() })
            }
            _ => Err(format!("“节点及时限”中的“{part}”应写成“名称 日期”")),
        })
        .collect()
}

pub(super) async fn prepare_items(
    app: &App,
    actor: &Actor,
    t: &Table,
    c: &impl ConnectionTrait,
) -> Result<(Option<Plan>, Problems)> {
    let split = |s: &str| -> Vec<String> {
        s.split(['、', '，', ',', '；', ';']).map(str::trim).filter(|x| !x.is_empty()).map(String::from).collect()
    };
    let mut names = HashSet::new();
    let mut scratch = Problems::new();
    for (row, cells) in &t.rows {
        names.extend(cell_text(t, cells, *row, "lead_unit", &mut scratch));
        names.extend(cell_text(t, cells, *row, "co_units", &mut scratch).map(|s| split(&s)).unwrap_or_default());
    }
    let units = units_by_name(c, actor, names).await?;
    let now = Utc::now();
    let mut problems = Problems::new();
    let mut plan = Vec::new();
    for (row, cells) in &t.rows {
        let row = *row;
        let mut get = |k: &str| cell_text(t, cells, row, k, &mut problems);
        let (lead, co) = (get("lead_unit"), get("co_units"));
        let mut input = crate::supervision::ItemInput {
            title: get("title").unwrap_or_default(),
            source: get("source").unwrap_or_default(),
            lead_unit_id: Uuid::nil(),
            co_unit_ids: vec![],
            responsible: crate::supervision::ResponsibleInput {
                principal: get("principal"),
                leader_in_charge: get("leader_in_charge"),
                direct_responsible: get("direct_responsible"),
            },
            deadline: get("deadline").unwrap_or_default(),
            milestones: vec![],
        };
        let ms = get("milestones");
        let mut bad = false;
        match lead.as_deref().map(|n| units.get(n)) {
            Some(Some(u)) => input.lead_unit_id = u.id,
            Some(None) => {
                problems.push(t.problem(
                    row,
                    "lead_unit",
                    format!("在您的管理范围内找不到单位“{}”", lead.unwrap_or_default()),
                ));
                bad = true;
            }
            None => {
                problems.push(t.problem(row, "lead_unit", "“牵头单位”必填".into()));
                bad = true;
            }
        }
        for n in co.as_deref().map(split).unwrap_or_default() {
            match units.get(&n) {
                Some(u) => input.co_unit_ids.push(u.id),
                None => {
                    problems.push(t.problem(row, "co_units", format!("在您的管理范围内找不到单位“{n}”")));
                    bad = true;
                }
            }
        }
        match ms.as_deref().map(parse_milestones) {
            Some(Ok(v)) => input.milestones = v,
            Some(Err(m)) => {
                problems.push(t.problem(row, "milestones", m));
                bad = true;
            }
            None => {}
        }
        if bad {
            continue;
        }
        match crate::supervision::check_item(app, actor, &input, now).await {
            Ok(x) => plan.push(x),
            Err(AppError::Invalid(inv)) => {
                for e in inv.errors {
                    let key = match e.field.as_str() {
                        "lead_unit_id" => "lead_unit",
                        f if f.starts_with("co_unit_ids") => "co_units",
                        f if f.starts_with("milestones") => "milestones",
                        f => f.strip_prefix("responsible.").unwrap_or(f),
                    };
                    problems.push(t.problem(row, key, e.message));
                }
            }
            Err(e) => return Err(e),
        }
    }
    if problems.is_empty() { Ok((Some(Plan::Items(plan)), problems)) } else { Ok((None, problems)) }
}
