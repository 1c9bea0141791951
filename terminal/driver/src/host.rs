//! What every entry point shares: the configuration (file next to the library and/or `SSCARD_*`
//! variables, read at every call so a change needs no restart), the log, the pending HSM step,
//! the C string conversions and the bounded writes into the caller's buffer.

use std::ffi::{c_char, c_long, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use sscard_terminal::national::hsm::HsmPending;
use sscard_terminal::national::{
    Config, ConfiguredDevice, Encoding, NationalError, NationalResult,
};

/// The configuration file name, looked for next to the library (then next to the program).
pub const CONFIG_FILE: &str = "SSCardDriver.toml";
/// The variable naming the configuration file explicitly.
pub const CONFIG_ENV: &str = "SSCARD_DRIVER_CONFIG";

/// Largest message written on failure (bytes, NUL excluded).
pub const MESSAGE_MAX: usize = 255;

/// The pending HSM step (one card at a time, like the national library).
static PENDING: Mutex<Option<HsmPending>> = Mutex::new(None);
static LOG: OnceLock<()> = OnceLock::new();

/// The directory of the loaded library (Linux: from `/proc/self/maps`).
fn library_dir() -> Option<PathBuf> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    maps.lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .find(|p| p.contains("SSCardDriver"))
        .and_then(|p| PathBuf::from(p).parent().map(PathBuf::from))
}

/// Where the configuration file is: `$SSCARD_DRIVER_CONFIG`, else `SSCardDriver.toml` next to the
/// library, else next to the program; `None` when there is none (defaults + variables).
pub fn config_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(CONFIG_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(PathBuf::from));
    [library_dir(), exe_dir]
        .into_iter()
        .flatten()
        .map(|d| d.join(CONFIG_FILE))
        .find(|p| p.is_file())
}

/// The configuration in force.
pub fn load_config() -> NationalResult<Config> {
    let base = match config_path() {
        Some(p) => {
            let text = std::fs::read_to_string(&p).map_err(|e| {
                NationalError::BadParameter(format!("configuration {}: {e}", p.display()))
            })?;
            Config::parse(&text)?
        }
        None => Config::default(),
    };
    base.with_env(|k| std::env::var(k).ok())
}

fn init_log(config: &Config) {
    if config.log.trim().is_empty() {
        return;
    }
    LOG.get_or_init(|| {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(config.log.trim());
        let Ok(file) = file else { return };
        let level = config
            .log_level
            .parse::<tracing::Level>()
            .unwrap_or(tracing::Level::INFO);
        // A host that installed its own subscriber keeps it.
        let _ = tracing_subscriber::fmt()
            .with_writer(Mutex::new(file))
            .with_ansi(false)
            .with_max_level(level)
            .try_init();
    });
}

/// One call: the device and the caller's encoding.
pub struct Call {
    /// The configured device.
    pub device: ConfiguredDevice,
    /// The caller's text encoding.
    pub encoding: Encoding,
}

impl Call {
    /// A string argument (`NULL` → −14; bytes not valid in the caller's encoding → −14).
    ///
    /// # Safety
    /// `p` is `NULL` or a NUL-terminated string.
    pub unsafe fn arg(&self, p: *const c_char, name: &str) -> NationalResult<String> {
        if p.is_null() {
            return Err(NationalError::BadParameter(format!("{name} is NULL")));
        }
        // SAFETY: the caller passes a NUL-terminated string (the national interface's contract).
        let bytes = unsafe { CStr::from_ptr(p) }.to_bytes();
        self.encoding
            .decode(bytes)
            .ok_or_else(|| NationalError::BadParameter(format!("{name} is not valid text")))
    }

    /// Keep the pending HSM state for the next step.
    pub fn set_pending(&self, p: Option<HsmPending>) {
        *PENDING.lock().unwrap_or_else(|e| e.into_inner()) = p;
    }

    /// Take the pending HSM state (−14 when there is none).
    pub fn take_pending(&self) -> NationalResult<HsmPending> {
        PENDING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .ok_or_else(|| NationalError::BadParameter("no pending HSM Step1".into()))
    }
}

/// Write `bytes` + NUL into `out` (which holds at least `max` + 1 bytes by the documented
/// contract).
///
/// # Safety
/// `out` is valid for `bytes.len() + 1` bytes.
unsafe fn write_out(out: *mut c_char, bytes: &[u8]) {
    // SAFETY: by the contract above.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), out.cast::<u8>(), bytes.len());
        *out.add(bytes.len()) = 0;
    }
}

/// Run entry point `name`: load the configuration, call `f`, write its output (at most `max`
/// bytes + NUL) or the error message (at most [`MESSAGE_MAX`] + NUL) into `out`, return 0 or the
/// national code. Panics are caught (−14). `out` NULL: −14, nothing written.
///
/// # Safety
/// `out` is `NULL` or valid for `max + 1` bytes.
pub unsafe fn entry(
    name: &'static str,
    out: *mut c_char,
    max: usize,
    f: impl FnOnce(&mut Call) -> NationalResult<String>,
) -> c_long {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let config = load_config();
        let encoding = config
            .as_ref()
            .ok()
            .and_then(|c| c.encoding().ok())
            .unwrap_or_default();
        let r = config.and_then(|config| {
            init_log(&config);
            if out.is_null() {
                return Err(NationalError::BadParameter("pOutInfo is NULL".into()));
            }
            let mut call = Call {
                device: ConfiguredDevice::new(config),
                encoding,
            };
            let text = f(&mut call)?;
            let bytes = encoding.encode(&text);
            if bytes.len() > max {
                return Err(NationalError::BadParameter(format!(
                    "the output ({} bytes) exceeds {max} bytes",
                    bytes.len()
                )));
            }
            Ok(bytes)
        });
        (r, encoding)
    }));
    let (r, encoding) = match result {
        Ok(x) => x,
        Err(_) => (
            Err(NationalError::BadParameter(format!(
                "internal error in {name}"
            ))),
            Encoding::default(),
        ),
    };
    match r {
        Ok(bytes) => {
            tracing::info!(function = name, code = 0, "national call");
            // SAFETY: `out` is non-null here (checked in the closure) and holds max + 1 bytes.
            unsafe { write_out(out, &bytes) };
            0
        }
        Err(e) => {
            let code = e.code();
            tracing::info!(function = name, code, error = %e, "national call failed");
            if !out.is_null() {
                let msg = encoding.encode_bounded(&e.message(), MESSAGE_MAX.min(max));
                // SAFETY: `out` holds at least max + 1 ≥ msg.len() + 1 bytes.
                unsafe { write_out(out, &msg) };
            }
            c_long::try_from(code).unwrap_or(-14)
        }
    }
}
