//! Error types shared by the primitive layers (keys, ciphers, MACs, fields).

use crate::algorithm::Algorithm;

/// Constructing a [`Key`](crate::Key) failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The byte string does not have the algorithm's key length.
    #[error("{} key must be {expected} bytes, got {got}", .algorithm.name())]
    InvalidLength {
        /// Algorithm the key was meant for.
        algorithm: Algorithm,
        /// Required length.
        expected: usize,
        /// Given length.
        got: usize,
    },
    /// The algorithm is not compiled into this build (AES-128 without the `aes` feature).
    #[error("{} is not available in this build (sscard-keys feature `aes`)", .0.name())]
    NotCompiledIn(Algorithm),
}

/// A cryptographic operation was given unusable input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// A block operation got a buffer that is not exactly one block.
    #[error("buffer is not one {0}-byte block")]
    NotOneBlock(usize),
    /// An ECB/CBC operation got a length that is not a multiple of the block size.
    #[error("length {len} is not a multiple of the {block}-byte block size")]
    NotBlockAligned {
        /// Given length.
        len: usize,
        /// Block size of the cipher.
        block: usize,
    },
    /// An IV does not have the block size.
    #[error("IV must be {expected} bytes, got {got}")]
    InvalidIvLength {
        /// Block size of the cipher.
        expected: usize,
        /// Given length.
        got: usize,
    },
    /// The operation is not defined for this key algorithm.
    #[error("operation not supported for {} keys", .0.name())]
    UnsupportedAlgorithm(Algorithm),
    /// A challenge has a length the operation cannot use.
    #[error("challenge of {0} bytes not usable here")]
    InvalidChallengeLength(usize),
    /// The output buffer is too small.
    #[error("output buffer too small: need {need} bytes")]
    BufferTooSmall {
        /// Bytes required.
        need: usize,
    },
    /// Field data longer than a one-byte length prefix can describe.
    #[error("field data of {0} bytes is too long (max 255)")]
    FieldTooLong(usize),
    /// A decrypted field has an inconsistent length byte or bad padding.
    #[error("decrypted field is malformed")]
    MalformedField,
    /// Internal key construction failed (should not happen for valid inputs).
    #[error(transparent)]
    Key(#[from] KeyError),
}
