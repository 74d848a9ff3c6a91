//! Every typed pack value a mechanism reads. The packs are checked against
//! this list when they load (`policy::check_values`), so a rule with a
//! missing or malformed value stops the start, not a case.

use crate::{
    policy::{Schema, WorkingDays},
    supervision::{
        EscalationRule,
        case::StepDeadlines,
        params::{Checkpoints, ReminderLetter, ReminderNumber, WorkNotice},
    },
    tolerance::{
        params::{AppealSentence, Deadlines, DecisionLetter, FastTrack, LetterCopies, OutcomeValue, RefusalNotice},
        suggest::Condition,
    },
};

pub const SCHEMAS: &[Schema] = &[
    Schema::of::<WorkingDays>(),
    Schema::of::<EscalationRule>(),
    Schema::of::<StepDeadlines>(),
    Schema::of::<Checkpoints>(),
    Schema::of::<ReminderNumber>(),
    Schema::of::<ReminderLetter>(),
    Schema::of::<WorkNotice>(),
    Schema::of::<Deadlines>(),
    Schema::of::<FastTrack>(),
    Schema::of::<LetterCopies>(),
    Schema::of::<OutcomeValue>(),
    Schema::optional::<Condition>(),
    Schema::of::<DecisionLetter>(),
    Schema::of::<RefusalNotice>(),
    Schema::of::<AppealSentence>(),
];
