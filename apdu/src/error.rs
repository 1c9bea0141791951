//! The error type of APDU parsing and encoding.

/// Why a command or response APDU could not be parsed or encoded.
///
/// Small and `Copy`: parsing never allocates and never panics; every malformed input maps to one
/// of these variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum ApduError {
    /// Fewer bytes than the minimum (4-byte command header, 2-byte status word).
    #[error("APDU too short")]
    TooShort,
    /// An extended length field (`00 L1 L2`) is cut off.
    #[error("truncated extended length field")]
    TruncatedLength,
    /// The body does not match Lc: wrong Lc, missing data or trailing bytes after Le.
    #[error("length field inconsistent with the APDU body (wrong Lc or trailing bytes)")]
    LengthMismatch,
    /// Extended form with Lc = `00 00` followed by more bytes (not a valid case 2E/3E/4E).
    #[error("extended Lc of zero")]
    ZeroExtendedLc,
    /// The data field is too long for the chosen form (short: 255, extended: 65 535) or the
    /// capacity of the owned [`Command`](crate::Command).
    #[error("data field too long")]
    DataTooLong,
    /// Ne is 0 or larger than the form allows (short: 256, extended: 65 536).
    #[error("Ne out of range")]
    InvalidNe,
    /// A builder parameter is out of range (SFI, offset, record number, challenge length, ...).
    #[error("parameter out of range")]
    ParameterOutOfRange,
    /// The command still waits for its 4-byte MAC ([`Command::append_mac`](crate::Command::append_mac)).
    #[error("MAC not yet appended")]
    MacPending,
    /// The output buffer is too small.
    #[error("output buffer too small")]
    BufferTooSmall,
}
