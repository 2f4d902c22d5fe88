//! A client CSV of any bytes: read, columns guessed, every row planned. Never a panic.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use tidings_domain::import::{guess_mapping, plan_import, read_csv};

fuzz_target!(|bytes: &[u8]| {
    if let Ok(table) = read_csv(bytes) {
        let mapping = guess_mapping(&table.headers);
        for region in ["US", "GB"] {
            let plan = plan_import(&table, &mapping, region, &HashMap::new());
            assert_eq!(plan.len(), table.rows.len(), "one plan per row");
        }
    }
});
