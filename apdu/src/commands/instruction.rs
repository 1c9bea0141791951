//! The instructions (INS bytes) of the card and the PSAM, with their trace names — the one INS
//! table of sscard. [`super::command_name`] names whole command APDUs from it.

/// One table, three views: the enum (with its discriminants as INS bytes), [`Instruction::ALL`],
/// [`Instruction::from_byte`] and [`Instruction::name`].
macro_rules! instructions {
    ($( $(#[$doc:meta])* $variant:ident = $byte:literal, $name:literal; )*) => {
        /// A named instruction (INS byte) of the card's (sscard-spec.md §4, profile.md §4–§5) or
        /// the PSAM's (profile.md §6) command set.
        ///
        /// ```
        /// use sscard_apdu::commands::Instruction;
        /// assert_eq!(Instruction::ReadRecord.byte(), 0xB2);
        /// assert_eq!(Instruction::from_byte(0xB2), Some(Instruction::ReadRecord));
        /// assert_eq!(Instruction::ReadRecord.name(), "READ RECORD");
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Instruction {
            $( $(#[$doc])* $variant = $byte, )*
        }

        impl Instruction {
            /// Every instruction, in table order.
            pub const ALL: &'static [Instruction] = &[$(Instruction::$variant),*];

            /// The instruction of an INS byte (`None`: not in the command set).
            pub const fn from_byte(ins: u8) -> Option<Self> {
                match ins {
                    $( $byte => Some(Instruction::$variant), )*
                    _ => None,
                }
            }

            /// The command's name for traces (`"READ RECORD"`, `"PSAM COMPUTE"`, ...);
            /// [`super::command_name`] refines it by CLA and P1/P2.
            pub const fn name(self) -> &'static str {
                match self {
                    $( Instruction::$variant => $name, )*
                }
            }
        }
    };
}

instructions! {
    /// SELECT (`A4`).
    Select = 0xA4, "SELECT";
    /// READ BINARY (`B0`).
    ReadBinary = 0xB0, "READ BINARY";
    /// UPDATE BINARY (`D6`).
    UpdateBinary = 0xD6, "UPDATE BINARY";
    /// READ RECORD (`B2`).
    ReadRecord = 0xB2, "READ RECORD";
    /// UPDATE RECORD (`DC`).
    UpdateRecord = 0xDC, "UPDATE RECORD";
    /// APPEND RECORD (`E2`).
    AppendRecord = 0xE2, "APPEND RECORD";
    /// VERIFY (`20`).
    Verify = 0x20, "VERIFY";
    /// CHANGE PIN (`5E`, CLA `80`).
    ChangePin = 0x5E, "CHANGE PIN";
    /// PIN UNBLOCK (P2 `00`) and PIN RELOAD (P2 `01`) (`24`, CLA `84`).
    PinUnblockReload = 0x24, "PIN UNBLOCK/RELOAD";
    /// GET CHALLENGE (`84`).
    GetChallenge = 0x84, "GET CHALLENGE";
    /// EXTERNAL AUTHENTICATE (`82`).
    ExternalAuthenticate = 0x82, "EXTERNAL AUTHENTICATE";
    /// INTERNAL AUTHENTICATE (`88`).
    InternalAuthenticate = 0x88, "INTERNAL AUTHENTICATE";
    /// GET RESPONSE (`C0`).
    GetResponse = 0xC0, "GET RESPONSE";
    /// APPLICATION BLOCK (`1E`, CLA `84`).
    ApplicationBlock = 0x1E, "APPLICATION BLOCK";
    /// APPLICATION UNBLOCK (`18`, CLA `84`).
    ApplicationUnblock = 0x18, "APPLICATION UNBLOCK";
    /// CARD BLOCK (`16`, CLA `84`).
    CardBlock = 0x16, "CARD BLOCK";
    /// INITIALIZE FOR PURCHASE (P1 `01`) / INITIALIZE FOR LOAD (P1 `00`) (`50`, CLA `80`).
    InitializePurse = 0x50, "INITIALIZE FOR PURCHASE/LOAD";
    /// CREDIT FOR LOAD (`52`, CLA `80`).
    CreditForLoad = 0x52, "CREDIT FOR LOAD";
    /// DEBIT FOR PURCHASE (`54`, CLA `80`).
    DebitForPurchase = 0x54, "DEBIT FOR PURCHASE";
    /// GET TRANSACTION PROVE (`5A`, CLA `80`).
    GetTransactionProve = 0x5A, "GET TRANSACTION PROVE";
    /// GET BALANCE (`5C`, CLA `80`).
    GetBalance = 0x5C, "GET BALANCE";
    /// PSAM: INITIALIZE SAM FOR PURCHASE, MAC1 (`70`, CLA `80`).
    PsamInitPurchase = 0x70, "PSAM INIT FOR PURCHASE";
    /// PSAM: VERIFY MAC2 of a purchase (`72`, CLA `80`).
    PsamVerifyMac2 = 0x72, "PSAM VERIFY MAC2";
    /// PSAM: DIVERSIFY AND INITIALISE (`DE`, CLA `BF`).
    DiversifyInit = 0xDE, "PSAM DIVERSIFY/INIT";
    /// PSAM: general cipher computation, encrypt or MAC (`FA`, CLA `80`).
    Compute = 0xFA, "PSAM COMPUTE";
}

impl Instruction {
    /// The INS byte.
    pub const fn byte(self) -> u8 {
        self as u8
    }
}

impl From<Instruction> for u8 {
    fn from(i: Instruction) -> u8 {
        i.byte()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_table() {
        for &i in Instruction::ALL {
            assert_eq!(Instruction::from_byte(i.byte()), Some(i));
            assert_eq!(u8::from(i), i.byte());
        }
        let mut bytes: Vec<u8> = Instruction::ALL.iter().map(|i| i.byte()).collect();
        bytes.sort_unstable();
        bytes.dedup();
        assert_eq!(bytes.len(), Instruction::ALL.len());
        let mut names: Vec<&str> = Instruction::ALL.iter().map(|i| i.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Instruction::ALL.len());
        let known = (0..=255u8)
            .filter(|&b| Instruction::from_byte(b).is_some())
            .count();
        assert_eq!(known, Instruction::ALL.len());
    }
}
