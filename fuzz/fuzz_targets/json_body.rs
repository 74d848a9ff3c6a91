//! Any request body, read as each main input type: a 4xx with Chinese words
//! and labels, or the value — never a panic (dandang_web::check_any_body).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    dandang_web::check_any_body(data);
});
