//! Checking unit rows (names, parents, jurisdictions).

use super::*;

pub(super) async fn prepare_units(
    actor: &Actor,
    t: &Table,
    c: &impl ConnectionTrait,
) -> Result<(Option<Plan>, Problems)> {
    let mut problems = Problems::new();
    let mut names = HashSet::new();
    for (_, cells) in &t.rows {
        for k in ["name", "parent"] {
            if let Ok(Some(n)) = t.text(cells, k) {
                names.insert(n);
            }
        }
    }
    // Unit names are public and unique across the deployment; parents must be in scope.
    let wanted: Vec<String> = names.iter().cloned().collect();
    let taken: HashSet<String> = registry::unit_names_taken(c, &wanted).await?.into_iter().collect();
    let existing = units_by_name(c, actor, names).await?;
    let mut in_file: HashMap<String, (usize, unit::Model, String)> = HashMap::new();
    let mut juris_cache: HashMap<String, Option<dandang_store::entity::jurisdiction::Model>> = HashMap::new();
    let mut plan = Vec::new();
    for (row, cells) in &t.rows {
        let row = *row;
        let mut get = |k: &str| cell_text(t, cells, row, k, &mut problems);
        let (name, short, kind, code, parent, order) = (
            get("name"),
            get("short_name"),
            get("unit_type"),
            get("jurisdiction_code"),
            get("parent"),
            get("sort_order"),
        );
        let mut inv = Invalid::new();
        let name = inv.take("name", "“单位名称”", text::required(name.as_deref().unwrap_or(""), 128));
        let short = inv.take("short_name", "“单位简称”", text::optional(short.as_deref(), 64));
        let kind = inv.take("unit_type", "“单位类型”", UnitType::parse(kind.as_deref().unwrap_or("")));
        let order = inv.take(
            "sort_order",
            "“排序号”",
            match order.as_deref() {
                None => Ok(0),
                Some(s) => s.parse::<i32>().map_err(|_| Problem::BadFormat { expected: "整数".into() }),
            },
        );
        problems_from(t, row, inv, &mut problems);
        let j = match code.as_deref() {
            None => {
                problems.push(t.problem(row, "jurisdiction_code", "“行政区划代码”不能为空".into()));
                None
            }
            Some(code) => {
                if !juris_cache.contains_key(code) {
                    let j = registry::jurisdiction_by_code(c, &actor.scope, code).await?.map(InScope::into_inner);
                    juris_cache.insert(code.to_string(), j);
                }
                match juris_cache.get(code).cloned().flatten() {
                    None => {
                        problems.push(t.problem(
                            row,
                            "jurisdiction_code",
                            format!("“行政区划代码”{code} 不在您的管理范围内的行政区划中"),
                        ));
                        None
                    }
                    Some(j) => Some(j),
                }
            }
        };
        if let Some(n) = &name {
            if taken.contains(n) {
                problems.push(t.problem(row, "name", format!("单位“{n}”已存在于系统中")));
            }
            if let Some((first, _, _)) = in_file.get(n) {
                problems.push(t.problem(row, "name", format!("单位“{n}”与本文件第 {first} 行重复")));
            }
        }
        // A parent comes from the registry or from an earlier row of the file.
        let parent_ref: Option<(Uuid, String, String)> = match parent.as_deref() {
            None => None,
            Some(p) => {
                if let Some((_, m, jpath)) = in_file.get(p) {
                    Some((m.id, m.path.clone(), jpath.clone()))
                } else if let Some(u) = existing.get(p) {
                    Some((u.id, u.path.clone(), u.jurisdiction_path.clone()))
                } else {
                    problems.push(t.problem(
                        row,
                        "parent",
                        format!("“上级单位”找不到“{p}”（须为已有单位或本文件前面行中的单位）"),
                    ));
                    None
                }
            }
        };
        let (Some(name), Some(kind), Some(order), Some(j)) = (name, kind, order, j) else { continue };
        if let Some((_, _, pj)) = &parent_ref
            && !j.path.starts_with(pj.as_str())
        {
            problems.push(t.problem(row, "parent", "“上级单位”须位于同一行政区划或其上级".into()));
            continue;
        }
        let id = UnitId::new();
        let path = unit_path(parent_ref.as_ref().map(|(_, p, _)| p.as_str()), &id);
        if !actor.scope.covers_unit(&j.path, &path) {
            problems.push(t.problem(row, "parent", "该单位不在您的管理范围内".into()));
            continue;
        }
        let now = Utc::now();
        let m = unit::Model {
            id: id.0,
            name: name.clone(),
            short_name: short.flatten(),
            unit_type: kind.code().into(),
            jurisdiction_id: j.id,
            parent_id: parent_ref.map(|(id, _, _)| id),
            path,
            sort_order: order,
            active: true,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        in_file.insert(name, (row, m.clone(), j.path.clone()));
        plan.push(m);
    }
    if problems.is_empty() { Ok((Some(Plan::Units(plan)), problems)) } else { Ok((None, problems)) }
}
