//! sscard terminal library
