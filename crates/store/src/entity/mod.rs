//! SeaORM entities, one per table. Enumerated columns hold the stable codes
//! of the domain enums; the app layer parses them back.

pub mod advance_filing;
pub mod api_token;
pub mod app_user;
pub mod appointment;
pub mod audit_event;
pub mod audit_head;
pub mod audit_pending;
pub mod cadre;
pub mod cadre_impact;
pub mod cadre_tag;
pub mod doc_counter;
pub mod follow_up;
pub mod follow_up_visit;
pub mod import_batch;
pub mod interview;
pub mod item_milestone;
pub mod item_report;
pub mod jurisdiction;
pub mod library_case;
pub mod measure;
pub mod post;
pub mod session;
pub mod supervised_item;
pub mod supervised_item_co_unit;
pub mod supervision_case;
pub mod supervision_step;
pub mod task_letter;
pub mod task_letter_item;
pub mod tolerance_attachment;
pub mod tolerance_case;
pub mod tolerance_list_item;
pub mod tolerance_step;
pub mod unit;
