//! On Windows (MSVC), export the national names undecorated (`iReadCardBas`, not
//! `_iReadCardBas@8`) through the module-definition file, as the national DLL does.
fn main() {
    println!("cargo:rerun-if-changed=SSCardDriver.def");
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.contains("windows") && target.contains("msvc") {
        let def = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("SSCardDriver.def");
        println!("cargo:rustc-cdylib-link-arg=/DEF:{}", def.display());
    }
}
