//! 容错纠错 (M2): the procedure and what dandang suggests for a case. The
//! situations, exclusions, grounds and factors are pack data; this module
//! only knows how to walk a case and how to match ticked facts against them.

pub mod case;
pub mod library;
pub mod suggest;
