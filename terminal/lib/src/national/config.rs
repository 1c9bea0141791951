//! [`Config`]: how a national-interface host (the `SSCardDriver` library, the local web service)
//! finds its readers, PSAM, PIN entry and log — from a TOML file and/or environment variables
//! (the variables win). Every key is optional:
//!
//! ```toml
//! reader = "first"             # iType 1/3/4 contact reader: a PC/SC name, an index, "first",
//!                              # or "emulator:PATH" (an sscard card image, in-process)
//! contactless_reader = ""      # iType 2 (and the second try of 3/4); empty: none
//! psam_reader = "first-other"  # the PSAM: a name, an index, "first-other" (the first reader
//!                              # that is not the card reader), "emulator:PATH" (an sscard PSAM
//!                              # image), or "" (no PSAM: PSAM-mode calls return −2201)
//! encoding = "gbk"             # or "utf-8": the strings exchanged with the caller
//! log = ""                     # a log file (PINs and keys are masked in it); empty: no log
//! log_level = "info"           # "debug" adds every APDU (PIN/key data masked)
//! pin_program = ""             # PIN entry without a PIN pad: run `PROGRAM verify|old|new|confirm`,
//!                              # the PIN is its first line on stdout; exit ≠ 0 = cancelled (−31)
//! pin_timeout_secs = 60        # then −32
//! pin_pad = true               # use the reader's PIN pad (PC/SC part 10) when it has one
//! pin_pad_digits = 6           # the PIN length the pad asks for (the card's PIN length)
//! device_no = ""               # 终端设备号; empty: the PSAM's serial number
//! terminal_no = ""             # 终端机编号 reported in HSM mode (no PSAM)
//! hsm_step1_fields = 9         # iReadCardBas_HSM_Step1 layout: 9 (with the device number) or 8
//! ```
//!
//! Environment: `SSCARD_READER`, `SSCARD_CONTACTLESS_READER`, `SSCARD_PSAM_READER`,
//! `SSCARD_ENCODING`, `SSCARD_LOG`, `SSCARD_LOG_LEVEL`, `SSCARD_PIN_PROGRAM`,
//! `SSCARD_PIN_TIMEOUT_SECS`, `SSCARD_PIN_PAD` (0/1), `SSCARD_DEVICE_NO`, `SSCARD_TERMINAL_NO`,
//! `SSCARD_HSM_STEP1_FIELDS`.

use serde::Deserialize;

use super::error::{NationalError, NationalResult};
use super::format::Encoding;
use super::hsm::Step1Fields;

/// The configuration of a national-interface host.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Contact reader.
    pub reader: String,
    /// Contactless reader ("" none).
    pub contactless_reader: String,
    /// PSAM reader ("" none).
    pub psam_reader: String,
    /// `gbk` or `utf-8`.
    pub encoding: String,
    /// Log file ("" none).
    pub log: String,
    /// Log level (`error` … `debug`).
    pub log_level: String,
    /// PIN-entry program ("" none).
    pub pin_program: String,
    /// PIN-entry timeout.
    pub pin_timeout_secs: u64,
    /// Use a PIN pad when the reader has one.
    pub pin_pad: bool,
    /// Digits the PIN pad asks for (its APDU's Lc is fixed before the holder types).
    pub pin_pad_digits: u8,
    /// 终端设备号 ("" the PSAM's serial).
    pub device_no: String,
    /// 终端机编号 in HSM mode.
    pub terminal_no: String,
    /// 9 or 8.
    pub hsm_step1_fields: u8,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            reader: "first".into(),
            contactless_reader: String::new(),
            psam_reader: "first-other".into(),
            encoding: "gbk".into(),
            log: String::new(),
            log_level: "info".into(),
            pin_program: String::new(),
            pin_timeout_secs: 60,
            pin_pad: true,
            pin_pad_digits: 6,
            device_no: String::new(),
            terminal_no: String::new(),
            hsm_step1_fields: 9,
        }
    }
}

impl Config {
    /// Parse TOML text.
    pub fn parse(text: &str) -> NationalResult<Self> {
        toml::from_str(text)
            .map_err(|e| NationalError::BadParameter(format!("configuration: {}", e.message())))
    }

    /// Apply the `SSCARD_*` environment variables (see the module docs) read by `get`.
    pub fn with_env(mut self, get: impl Fn(&str) -> Option<String>) -> NationalResult<Self> {
        let text = |name: &str, field: &mut String| {
            if let Some(v) = get(name) {
                *field = v;
            }
        };
        text("SSCARD_READER", &mut self.reader);
        text("SSCARD_CONTACTLESS_READER", &mut self.contactless_reader);
        text("SSCARD_PSAM_READER", &mut self.psam_reader);
        text("SSCARD_ENCODING", &mut self.encoding);
        text("SSCARD_LOG", &mut self.log);
        text("SSCARD_LOG_LEVEL", &mut self.log_level);
        text("SSCARD_PIN_PROGRAM", &mut self.pin_program);
        text("SSCARD_DEVICE_NO", &mut self.device_no);
        text("SSCARD_TERMINAL_NO", &mut self.terminal_no);
        let bad = |name: &str, v: &str| NationalError::BadParameter(format!("{name}={v:?}"));
        if let Some(v) = get("SSCARD_PIN_TIMEOUT_SECS") {
            self.pin_timeout_secs = v
                .trim()
                .parse()
                .map_err(|_| bad("SSCARD_PIN_TIMEOUT_SECS", &v))?;
        }
        if let Some(v) = get("SSCARD_PIN_PAD") {
            self.pin_pad = !matches!(v.trim(), "0" | "false" | "no" | "");
        }
        if let Some(v) = get("SSCARD_PIN_PAD_DIGITS") {
            self.pin_pad_digits = v
                .trim()
                .parse()
                .map_err(|_| bad("SSCARD_PIN_PAD_DIGITS", &v))?;
        }
        if let Some(v) = get("SSCARD_HSM_STEP1_FIELDS") {
            self.hsm_step1_fields = v
                .trim()
                .parse()
                .map_err(|_| bad("SSCARD_HSM_STEP1_FIELDS", &v))?;
        }
        self.check()?;
        Ok(self)
    }

    fn check(&self) -> NationalResult<()> {
        self.encoding()?;
        self.step1_fields()?;
        Ok(())
    }

    /// The encoding.
    pub fn encoding(&self) -> NationalResult<Encoding> {
        Encoding::parse(&self.encoding).ok_or_else(|| {
            NationalError::BadParameter(format!("encoding {:?} (gbk or utf-8)", self.encoding))
        })
    }

    /// The Step1 layout.
    pub fn step1_fields(&self) -> NationalResult<Step1Fields> {
        match self.hsm_step1_fields {
            9 => Ok(Step1Fields::Nine),
            8 => Ok(Step1Fields::Eight),
            n => Err(NationalError::BadParameter(format!(
                "hsm_step1_fields {n} (8 or 9)"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_env() {
        let c = Config::parse("reader = \"Virtual PCD 00 00\"\nencoding = \"utf-8\"\n").unwrap();
        assert_eq!(c.reader, "Virtual PCD 00 00");
        assert_eq!(c.psam_reader, "first-other");
        let c = c
            .with_env(|k| (k == "SSCARD_PSAM_READER").then(|| "1".to_string()))
            .unwrap();
        assert_eq!(c.psam_reader, "1");
        assert_eq!(c.encoding().unwrap(), Encoding::Utf8);
        assert!(Config::parse("nope = 1").is_err());
        assert!(Config::default()
            .with_env(|k| (k == "SSCARD_ENCODING").then(|| "latin1".to_string()))
            .is_err());
    }
}
