//! Answering "which rule was in force on that day" for a pack and its layers.

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::{PolicySet, model::*};
use crate::calendar::WorkCalendar;

/// A pack with its ancestors, most specific first.
#[derive(Clone, Debug)]
pub struct Resolved<'a> {
    pub chain: Vec<&'a Pack>,
}

/// The version of an entry that applied on a date, with the document it cites.
#[derive(Clone, Debug, Serialize)]
pub struct EntryHit<'a> {
    pub entry: &'a EntryVersion,
    pub document: Option<&'a Document>,
    /// True when a lower layer replaced an upper layer's entry of the same id.
    pub overrides: Option<&'a str>,
}

impl EntryHit<'_> {
    /// "《标题》（文号）第X条" for display next to a suggestion.
    pub fn citation_zh(&self) -> String {
        citation(self.document, &self.entry.source)
    }
}

pub fn citation(doc: Option<&Document>, source: &SourceRef) -> String {
    let mut s = match doc {
        Some(d) => match &d.number {
            Some(n) => format!("《{}》（{}）", d.title, n),
            None => format!("《{}》", d.title),
        },
        None => source.document.clone(),
    };
    if let Some(a) = &source.article {
        s.push_str(a);
    }
    s
}

#[derive(Clone, Debug, Serialize)]
pub struct CatalogueView<'a> {
    pub catalogue: &'a Catalogue,
    /// Items in force on the date, from every layer, in `order` then id.
    pub items: Vec<EntryHit<'a>>,
    /// Incomplete if any layer declares it so.
    pub incomplete: bool,
}

impl PolicySet {
    pub fn resolve(&self, pack_id: &str) -> Option<Resolved<'_>> {
        let chain = self.chain(pack_id);
        if chain.is_empty() { None } else { Some(Resolved { chain }) }
    }
}

impl<'a> Resolved<'a> {
    pub fn id(&self) -> &str {
        &self.chain[0].id
    }

    pub fn document(&self, id: &str) -> Option<&'a Document> {
        self.chain.iter().find_map(|p| p.documents.get(id))
    }

    /// The most specific layer with a version in force on `on` wins; a layer
    /// whose versions do not cover the date leaves the question to its parent.
    pub fn entry(&self, id: &str, on: NaiveDate) -> Option<EntryHit<'a>> {
        for (i, p) in self.chain.iter().enumerate() {
            if let Some(v) = p.entries.get(id).and_then(|vs| vs.iter().find(|v| v.in_force(on))) {
                if v.repealed {
                    return None;
                }
                let overrides = self.chain[i + 1..].iter().find(|q| q.entries.contains_key(id)).map(|q| q.id.as_str());
                return Some(EntryHit { entry: v, document: self.document(&v.source.document), overrides });
            }
        }
        None
    }

    pub fn catalogue(&self, id: &str, on: NaiveDate) -> Option<CatalogueView<'a>> {
        let catalogue = self.chain.iter().find_map(|p| p.catalogues.get(id))?;
        let incomplete = self.chain.iter().filter_map(|p| p.catalogues.get(id)).any(|c| c.incomplete);
        let mut ids: Vec<&str> = Vec::new();
        for p in &self.chain {
            for (eid, vs) in &p.entries {
                if vs.first().and_then(|v| v.catalogue.as_deref()) == Some(id) && !ids.contains(&eid.as_str()) {
                    ids.push(eid);
                }
            }
        }
        let mut items: Vec<EntryHit<'a>> = ids.into_iter().filter_map(|eid| self.entry(eid, on)).collect();
        items.sort_by(|a, b| (a.entry.order, &a.entry.id).cmp(&(b.entry.order, &b.entry.id)));
        Some(CatalogueView { catalogue, items, incomplete })
    }

    /// Catalogue ids visible from this pack.
    pub fn catalogue_ids(&self) -> Vec<&'a str> {
        let mut v: Vec<&str> = self.chain.iter().flat_map(|p| p.catalogues.keys().map(String::as_str)).collect();
        v.sort();
        v.dedup();
        v
    }

    /// Calendar notices of every layer, applied in the order they were issued.
    pub fn notices(&self) -> Vec<&'a CalendarNotice> {
        let mut v: Vec<&CalendarNotice> = self.chain.iter().flat_map(|p| p.calendar.iter()).collect();
        v.sort_by_key(|n| (self.document(&n.source.document).and_then(|d| d.issued), n.id.clone()));
        v
    }

    pub fn calendar(&self) -> WorkCalendar {
        let mut cal = WorkCalendar::default();
        for n in self.notices() {
            cal.cover_year(n.year);
            for h in &n.holidays {
                let mut d = h.from;
                while d <= h.to {
                    cal.add_holiday(d);
                    match d.checked_add_days(Days::new(1)) {
                        Some(x) => d = x,
                        None => break,
                    }
                }
            }
            for w in &n.workdays {
                cal.add_workday(*w);
            }
            for w in &n.cancel_workdays {
                cal.cancel_workday(*w);
            }
        }
        cal
    }
}
