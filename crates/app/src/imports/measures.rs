//! Checking measure rows (the cadre, the measure code, the dates).

use super::*;

pub(super) async fn prepare_measures(
    app: &App,
    actor: &Actor,
    t: &Table,
    c: &impl ConnectionTrait,
) -> Result<(Option<Plan>, Problems)> {
    let today = clock::today();
    let mut problems = Problems::new();
    let mut plan = Vec::new();
    for (row, cells) in &t.rows {
        let row = *row;
        let mut get = |k: &str| cell_text(t, cells, row, k, &mut problems);
        let (idn, name, birth) = (get("id_number"), get("name"), get("birth_date"));
        let input = crate::measures::MeasureInput {
            kind: get("kind").unwrap_or_default(),
            measure_type: get("type"),
            decided_on: get("decided_on").unwrap_or_default(),
            effective_on: get("effective_on"),
            deciding_body: get("deciding_body").unwrap_or_default(),
            basis: get("basis").unwrap_or_default(),
            document_ref: get("document_ref"),
            probation_years: get("probation_years"),
            period_months: get("period_months"),
            via_accountability: false,
            tolerance_check: None,
            reply_due: get("reply_due"),
        };
        let via = match get("via_accountability").as_deref().map(str::trim) {
            None | Some("") | Some("否") => false,
            Some("是") => true,
            Some(_) => {
                problems.push(t.problem(row, "via_accountability", "“属于问责”只能填“是”或“否”".into()));
                false
            }
        };
        let Some(crow) =
            find_cadre(actor, t, c, row, idn.as_deref(), name.as_deref(), birth.as_deref(), &mut problems).await?
        else {
            continue;
        };
        let book = crate::measures::book_for(app.policy(), &crow);
        match crate::measures::parse_input(book, &input, today) {
            Ok(p) => {
                let m = crate::measures::new_model(&p, &crow, via, actor, "import", None, book);
                plan.push((m, p.code, crow));
            }
            Err(inv) => problems_from(t, row, inv, &mut problems),
        }
    }
    if problems.is_empty() { Ok((Some(Plan::Measures(plan)), problems)) } else { Ok((None, problems)) }
}
