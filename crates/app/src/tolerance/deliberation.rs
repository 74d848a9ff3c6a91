//! What only those who deliberate read: the suggestion engine's view of a case.

use super::*;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SuggestionsView {
    pub pack: String,
    pub on: NaiveDate,
    #[schema(value_type = Object)]
    pub suggestions: Suggestions,
    pub situations_incomplete: bool,
    pub exclusions_incomplete: bool,
}

/// What the pack in force on the day of the mistake suggests for the answers recorded so far.
/// The engine's hints are the handling body's working material: a party to
/// the case never sees them (they would read as a verdict).
pub async fn suggestions(app: &App, actor: &Actor, id: Uuid) -> Result<SuggestionsView> {
    require(actor, Permission::ToleranceDeliberate)?;
    let l = load(app, actor, id).await?;
    suggestions_of(app, &l)
}

pub(super) fn suggestions_of(app: &App, l: &Loaded) -> Result<SuggestionsView> {
    let raw: BTreeMap<String, String> = serde_json::from_str(&l.m.answers).unwrap_or_default();
    let answers: BTreeMap<String, Answer> =
        raw.into_iter().filter_map(|(k, v)| Answer::parse(&v).ok().map(|a| (k, a))).collect();
    let crit = criteria(app, &l.pack, l.m.event_on);
    Ok(SuggestionsView {
        pack: l.pack.clone(),
        on: l.m.event_on,
        suggestions: suggest_for(app, &l.pack, l.m.event_on, &answers)?,
        situations_incomplete: crit.situations_incomplete,
        exclusions_incomplete: crit.exclusions_incomplete,
    })
}
