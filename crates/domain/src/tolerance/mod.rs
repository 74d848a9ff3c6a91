//! 容错纠错 (M2): the procedure and what dandang suggests for a case. The
//! situations, exclusions, grounds and factors are pack data; this module
//! only knows how to walk a case and how to match ticked facts against them.

pub mod case;
pub mod library;
pub mod params;
pub mod suggest;

use serde::{Deserialize, Serialize};

use crate::access::Role;

/// One body a decision letter is copied to (抄送), and the roles that stand
/// for it in dandang: they find the letter among their copies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CopyRecipient {
    pub body: String,
    pub roles: Vec<Role>,
}
