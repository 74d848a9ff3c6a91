//! Versioned schema migrations, one code path for SQLite and PostgreSQL.
//!
//! Portable to PostgreSQL-protocol distributed engines: UUIDv7 keys, no
//! sequences, no recursive queries (trees carry a materialized path), no
//! advisory locks, and no reliance on collation for Chinese text (lists sort
//! on ASCII pinyin keys computed by the application).

use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0002_roster_order;
mod m0003_measures;
mod m0004_interviews;
mod m0005_supervised_items;
mod m0006_supervision_cases;
mod m0007_item_reports;
mod m0008_task_letters;
mod m0009_tolerance;
mod m0010_tolerance_library;
mod m0011_tolerance_lists;
mod m0012_tolerance_attachments;
mod m0013_tolerance_service;
mod m0014_doc_counter;
mod m0015_access;
mod m0016_audit_mac;
mod m0017_audit_pending;
mod m0018_name_search;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_roster_order::Migration),
            Box::new(m0003_measures::Migration),
            Box::new(m0004_interviews::Migration),
            Box::new(m0005_supervised_items::Migration),
            Box::new(m0006_supervision_cases::Migration),
            Box::new(m0007_item_reports::Migration),
            Box::new(m0008_task_letters::Migration),
            Box::new(m0009_tolerance::Migration),
            Box::new(m0010_tolerance_library::Migration),
            Box::new(m0011_tolerance_lists::Migration),
            Box::new(m0012_tolerance_attachments::Migration),
            Box::new(m0013_tolerance_service::Migration),
            Box::new(m0014_doc_counter::Migration),
            Box::new(m0015_access::Migration),
            Box::new(m0016_audit_mac::Migration),
            Box::new(m0017_audit_pending::Migration),
            Box::new(m0018_name_search::Migration),
        ]
    }
}
