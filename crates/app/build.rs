//! Embeds the policy packs of `policy/` in the binary, so that dandang runs
//! from any directory; `policy_dir` in the configuration (or `--policy-dir`)
//! reads a directory instead.

use std::{fmt::Write, path::PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../policy");
    let root = root.canonicalize().expect("policy/ beside the crates");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut packs: Vec<PathBuf> =
        std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    packs.sort();
    let mut out = String::from("&[\n");
    for pack in packs {
        println!("cargo:rerun-if-changed={}", pack.display());
        let name = pack.file_name().unwrap().to_str().unwrap().to_string();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&pack)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        for f in files {
            println!("cargo:rerun-if-changed={}", f.display());
            let file = f.file_name().unwrap().to_str().unwrap();
            writeln!(out, "    ({name:?}, {file:?}, include_str!({:?})),", f.display().to_string()).unwrap();
        }
    }
    out.push(']');
    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("embedded_policy.rs");
    std::fs::write(dest, out).unwrap();
}
