//! Names of the card keys: one [`KeyName`] constant per key of [`crate::keys`] (sscard-spec.md
//! §5.1, profile.md §2), e.g. [`RKSSSE`], [`PUK`], [`RK1DF01`], [`UKBDF01`].
//!
//! These constants are the **one definition** of every key name: the key tables and the access
//! rules of [`crate::files`] are built from them. The value of each constant is its identifier
//! (`RKSSSE == "RKSSSE"`), the same string the issuer key files use as TOML keys and the security
//! module uses as root-key name, so a constant goes wherever a `KeyName` / `&str` is expected.
//!
//! ```
//! use sscard_specs::{key, key_by_name};
//!
//! assert_eq!(key::RKSSSE, "RKSSSE");
//! assert_eq!(key_by_name(key::PUK).unwrap().kid, Some(0x06));
//! assert_eq!(sscard_specs::keys::key_spec(key::RK1DF01).unwrap().kid, Some(0x88));
//! ```

/// Name of a card key, exactly as in sscard-spec.md §5.1 / §2.2 (e.g. `"RK1DF01"`, `"UKSSSE"`, `"PUK"`).
///
/// The same strings are the root-key names of the issuer key set and the security module.
pub type KeyName = &'static str;

macro_rules! keys {
    ($($(#[$doc:meta])* $name:ident;)*) => {
        $(
            $(#[$doc])*
            pub const $name: KeyName = stringify!($name);
        )*
        /// Every key name, in table order ([`crate::keys::all_keys`]).
        pub const ALL: &[KeyName] = &[$($name),*];
    };
}

keys! {
    // ------------------------------------------------------------ SSSE (card-level keys)
    /// Read key of the SSSE (EF07/EF08; EF06 on 3.00), KID 0A.
    RKSSSE;
    /// Update key of the SSSE EFs, KID 04.
    UKSSSE;
    /// Internal-authentication key (card proves itself), KID 00.
    IRK;
    /// PIN-unblock key (external authentication before PIN unblock / reload), KID 06.
    PUK;
    /// Maintenance key: line-protection MAC for lifecycle and PIN commands, KID 07.
    STK;
    /// Issuer key of the card-identification authentication code (not on the card, no KID).
    CIDK;

    // ------------------------------------------------------------ DF01
    /// Read key of DF01.
    RK1DF01;
    /// Update key of DF01 EF05.
    UK1DF01;
    /// Update key of DF01 EF07 and EF09.
    UK2DF01;
    /// Update key of DF01 EF08.
    UK3DF01;
    /// Update key of DF01 EF06.
    UK4DF01;
    /// Update key of DF01 EF0A.
    UK5DF01;
    /// Update key of DF01 EF15.
    UK6DF01;
    /// Update key of DF01 EF16 (reserved 1).
    UK7DF01;
    /// Update key of DF01 EF17 (reserved 2).
    UK8DF01;
    /// Update key of DF01 EF18 (reserved 3).
    UK9DF01;
    /// Update key of DF01 EF19 (reserved 4).
    UKADF01;
    /// Update key of DF01 EF1A (reserved 5).
    UKBDF01;

    // ------------------------------------------------------------ DF02
    /// Read key of DF02.
    RK1DF02;
    /// Update key of DF02 EF05.
    UK1DF02;
    /// Update key of DF02 EF06.
    UK2DF02;
    /// Update key of DF02 EF07.
    UK3DF02;
    /// Update key of DF02 EF09.
    UK4DF02;
    /// Update key of DF02 EF15.
    UK5DF02;
    /// Update key of DF02 EF16.
    UK6DF02;

    // ------------------------------------------------------------ DF03
    /// Read key of DF03 (all EFs except EF05).
    RK1DF03;
    /// Read key of DF03 EF05.
    RK2DF03;
    /// Update key of DF03 EF05.
    UK1DF03;
    /// Update key of DF03 EF06.
    UK2DF03;
    /// Update key of DF03 EF07.
    UK3DF03;
    /// Update key of DF03 EF15.
    UK4DF03;
    /// Update key of DF03 EF16.
    UK5DF03;
    /// Update key of DF03 EF17.
    UK6DF03;
    /// Update key of DF03 EF18.
    UK7DF03;
    /// Update key of DF03 EF19.
    UK8DF03;

    // ------------------------------------------------------------ DF04
    /// Read key of DF04.
    RK1DF04;
    /// Update key of DF04 EF05.
    UK1DF04;
    /// Update key of DF04 EF06 and EF15.
    UK2DF04;
    /// Purchase key of the medical e-purse (DF04, KID assigned, see `crate::purse`).
    DPK;
    /// Load key of the medical e-purse (DF04, KID assigned, see `crate::purse`).
    DLK;
    /// TAC key of the medical e-purse (DF04, KID assigned, see `crate::purse`).
    DTK;

    // ------------------------------------------------------------ DF05 (appendix B)
    /// Update key of DF05 EF05.
    UK1DF05;
    /// Maintenance key of DF05 (appendix B, not used by sscard).
    STKDF05;

    // ------------------------------------------------------------ DF06 (appendix B)
    /// Read key of DF06.
    RK1DF06;
    /// Update key of DF06 EF05.
    UK1DF06;
    /// Update key of DF06 EF06.
    UK2DF06;
    /// Maintenance key of DF06 (appendix B, not used by sscard).
    STKDF06;
    /// Lock key of DF06 (appendix B, not used by sscard).
    LKDF06;

    // ------------------------------------------------------------ DF07
    /// Read key of DF07 EF05.
    RK1DF07;
    /// Read key of DF07 EF06.
    RK2DF07;
    /// Read key of DF07 EF07.
    RK3DF07;
    /// Update key of DF07 EF05.
    UK1DF07;
    /// Update key of DF07 EF06.
    UK2DF07;
    /// Update key of DF07 EF07.
    UK3DF07;
}
