//! HSM mode: the `*_HSM_Step1/Step2(/Step3)` functions, for desks without a PSAM (or whose PSAM
//! lacks a key: the caller falls back here on −2201, −2202, −2203, −27272, −24). Step1 talks to
//! the card and returns what the caller's back end sends to the online HSM; the HSM's answer comes
//! back as `pKey` to the next step. Between the steps the card stays powered with its state
//! (PC/SC connections are left with `LEAVE_CARD`), so the challenge it gave in Step1 is the one
//! the next step's EXTERNAL AUTHENTICATE uses: nothing else may be sent to the card in between.
//! A step keeps what the next one needs in an [`HsmPending`].
//!
//! Strings (sscard-spec.md §6.2, integrators.md §1.3):
//!
//! | function | out | pKey of the next step |
//! | --- | --- | --- |
//! | `iReadCardBas_HSM_Step1` | `区划|ATR历史字节|算法标识|卡识别码|内认证过程因子|内认证原始数据|外认证过程因子|外认证原始数据|终端设备号|` (9 fields; 8 without the device number, [`Step1Fields`]); the four randoms (16 hex each) are empty on cards before 3.00 | 3.00: `<内部认证结果 16hex><内部认证数据 16hex>|<外部认证密文 32hex>|`; others: anything |
//! | `iReadCardBas_HSM_Step2` | the 11-field `iReadCardBas` string | – |
//! | `iReadCard_HSM_Step1`, `iWriteCard_HSM_Step1`, `iReloadPIN_HSM_Step1`, `iUnblockPIN_HSM_Step1` | `算法标识|密钥地址|随机数(过程因子)|随机数(鉴别原始信息)|` — the external authentication of the key the operation needs | the 16-byte cryptogram, `32hex` (a trailing `|` is allowed) |
//! | `iReadCard_HSM_Step2` / `iWriteCard_HSM_Step2` | the `iReadCard` / `iWriteCard` output | – |
//! | `iReloadPIN_HSM_Step2` / `iUnblockPIN_HSM_Step2` | `算法标识|密钥地址|过程因子|MAC头(CLA INS P1 P2 Lc)|[新PIN|]` — the line MAC (and, for reload, the encrypted PIN block) under STK | reload: `<密文PIN块><MAC 8hex>|`; unblock: `<MAC 8hex>|` |
//! | `iReloadPIN_HSM_Step3` / `iUnblockPIN_HSM_Step3` | empty | – |
//! | `iDoDebit_HSM_Step1` | `算法标识|密钥地址|伪随机数|交易计数器|总金额|账户+统筹金额|交易类型‖终端机编号|交易时间|` (hex, amounts 8 hex fen; the MAC1 request for DPK: integrators.md §4.2, b0–b7) | `终端交易序号 8hex|交易时间|MAC1 8hex|` |
//! | `iDoDebit_HSM_Step2` | the `iDoDebit` output | – |
//!
//! 算法标识 = the FCI algorithm id (`01` 3DES when absent, `03` SM4); 密钥地址 = sscard's key
//! address `DDKK`: DD = the key's DF (`00` SSSE, `01`–`07` DF01–DF07), KK = its card KID
//! ([`key_address`]; real HSMs number their keys per issuer, so a back end maps these).
//! The internal-authentication comparison uses the first 16 hex digits of pKey (as the national
//! libraries do). [`TestHsm`] plays the HSM from an issuer key set (tests, demos).

use sscard_apdu::commands;
use sscard_apdu::fci::DEFAULT_ALGORITHM_ID;
use sscard_apdu::StatusWord;
use sscard_keys::{DiversificationFactors, KeyRef, Pin, SecurityModule, SoftwareSecurityModule};
use sscard_specs::keys::all_keys;
use sscard_specs::{key, key_by_name, DfId, KeySpec, ReadRule, SpecVersion, WriteRule};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::basic::Call;
use super::device::{Device, Interface, PinPrompt};
use super::error::{NationalError, NationalResult};
use super::file::{
    apply_writes, check_card_info, encode_writes, parse_address, read_files, FileRequest, Write,
};
use super::format::{self, join, TerminalIds};
use crate::error::Error;
use crate::session::random;

/// Which `iReadCardBas_HSM_Step1` layout to produce.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Step1Fields {
    /// 9 fields, the device number last (S-GWIJS).
    #[default]
    Nine,
    /// 8 fields, no device number (the Lishui library, integrators.md §1.3).
    Eight,
}

/// What a step left for the next one (keep it between the calls; one per card).
pub struct HsmPending {
    interface: Interface,
    card_id: [u8; 16],
    algorithm_id: Option<u8>,
    version: Option<SpecVersion>,
    df: DfId,
    op: Op,
}

enum Op {
    ReadCardBas {
        auth: Option<([u8; 8], [u8; 8])>,
    },
    ReadFiles {
        key: &'static str,
        files: Vec<FileRequest>,
    },
    Write {
        key: &'static str,
        files: Vec<FileRequest>,
        writes: Vec<Write>,
    },
    PinAuth {
        new_pin: Option<Zeroizing<String>>,
    },
    PinMac {
        header: [u8; 4],
        block: Option<usize>,
    },
    Debit {
        tx: Box<crate::session::PendingTransaction>,
    },
}

impl std::fmt::Debug for HsmPending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HsmPending")
            .field("function", &self.function())
            .field("interface", &self.interface)
            .field("df", &self.df)
            .finish_non_exhaustive()
    }
}

impl HsmPending {
    /// The step this pending state is for (`"iReadCardBas"`, `"iReadCard"`, …).
    pub fn function(&self) -> &'static str {
        match &self.op {
            Op::ReadCardBas { .. } => "iReadCardBas",
            Op::ReadFiles { .. } => "iReadCard",
            Op::Write { .. } => "iWriteCard",
            Op::PinAuth { new_pin: Some(_) } => "iReloadPIN",
            Op::PinAuth { new_pin: None } => "iUnblockPIN",
            Op::PinMac { block: Some(_), .. } => "iReloadPIN",
            Op::PinMac { block: None, .. } => "iUnblockPIN",
            Op::Debit { .. } => "iDoDebit",
        }
    }
}

/// The algorithm id as 2 hex digits (`01` when the FCI has none).
fn algorithm_hex(id: Option<u8>) -> String {
    format!("{:02X}", id.unwrap_or(DEFAULT_ALGORITHM_ID))
}

/// sscard's HSM key address of a key: `DDKK` (DF number, card KID).
pub fn key_address(spec: &KeySpec) -> String {
    let df = spec.df.fid().map_or(0, |f| f & 0xFF);
    format!("{df:02X}{:02X}", spec.kid.unwrap_or(0))
}

/// The key of a key address ([`key_address`]'s inverse).
pub fn key_at_address(address: &str) -> Option<&'static KeySpec> {
    all_keys().find(|k| k.kid.is_some() && key_address(k).eq_ignore_ascii_case(address.trim()))
}

fn spec(name: &str) -> NationalResult<&'static KeySpec> {
    key_by_name(name).ok_or_else(|| NationalError::Terminal(Error::UnknownKey(name.into())))
}

/// Hex of exactly `N` bytes.
fn hex_n<const N: usize>(s: &str, what: &str) -> NationalResult<[u8; N]> {
    hex::decode(s.trim())
        .ok()
        .and_then(|b| <[u8; N]>::try_from(b.as_slice()).ok())
        .ok_or_else(|| {
            NationalError::BadParameter(format!("pKey: {what} must be {} hex digits", 2 * N))
        })
}

/// A request of the HSM steps to the security module, `算法标识|密钥地址|R|…|`.
struct Request<'a> {
    fields: Vec<&'a str>,
    /// The key at 密钥地址.
    key: &'static KeySpec,
    /// R, the card's challenge.
    r: [u8; 8],
}

impl<'a> Request<'a> {
    fn parse(request: &'a str) -> NationalResult<Self> {
        let fields: Vec<&str> = request.split('|').collect();
        let field = |i: usize| fields.get(i).copied().unwrap_or_default();
        let key = key_at_address(field(1)).ok_or_else(|| {
            NationalError::BadParameter(format!("no key at address {}", field(1)))
        })?;
        let r = hex_n(field(2), "R")?;
        Ok(Request { fields, key, r })
    }

    /// Field `i` (`""` when there is none).
    fn field(&self, i: usize) -> &'a str {
        self.fields.get(i).copied().unwrap_or_default()
    }
}

/// A parsed `iReadCardBas_HSM_Step2` pKey of a 3.00 card.
#[derive(Debug, PartialEq, Eq)]
pub struct ReadCardBasKey {
    /// 内部认证结果 (the first 8 bytes of what a genuine card answers).
    pub internal: [u8; 8],
    /// 内部认证数据 (the rest of the first field; not checked).
    pub internal_data: [u8; 8],
    /// The RKSSSE external-authentication cryptogram.
    pub external: [u8; 16],
}

/// Parse `<32 hex>|<32 hex>|` (the trailing `|` optional, white space around fields ignored).
pub fn parse_read_card_bas_key(key: &str) -> NationalResult<ReadCardBasKey> {
    let mut parts = key.split('|').map(str::trim);
    let first = parts.next().unwrap_or_default();
    let second = parts.next().unwrap_or_default();
    if parts.any(|p| !p.is_empty()) {
        return Err(NationalError::BadParameter(
            "pKey: more than two fields".into(),
        ));
    }
    let a: [u8; 16] = hex_n(first, "the internal-authentication field")?;
    let external = hex_n(second, "the external-authentication field")?;
    let mut internal = [0u8; 8];
    let mut internal_data = [0u8; 8];
    internal.copy_from_slice(&a[..8]);
    internal_data.copy_from_slice(&a[8..]);
    Ok(ReadCardBasKey {
        internal,
        internal_data,
        external,
    })
}

/// Parse a single-cryptogram pKey: `<32 hex>` with an optional trailing `|`.
pub fn parse_cryptogram_key(key: &str) -> NationalResult<[u8; 16]> {
    let k = key.trim();
    let k = k.strip_suffix('|').unwrap_or(k);
    hex_n(k, "the cryptogram")
}

/// Parse a MAC pKey: `<hex>` (the encrypted PIN block, reload only) followed by the 4-byte MAC,
/// an optional trailing `|`; returns (block, mac).
pub fn parse_mac_key(key: &str, block_len: usize) -> NationalResult<(Vec<u8>, [u8; 4])> {
    let k = key.trim();
    let k = k.strip_suffix('|').unwrap_or(k);
    let bytes =
        hex::decode(k).map_err(|_| NationalError::BadParameter("pKey is not hex".into()))?;
    if bytes.len() != block_len + 4 {
        return Err(NationalError::BadParameter(format!(
            "pKey must be {} hex digits",
            2 * (block_len + 4)
        )));
    }
    let (block, mac) = bytes.split_at(block_len);
    let mut m = [0u8; 4];
    m.copy_from_slice(mac);
    Ok((block.to_vec(), m))
}

fn card_id_of(call: &mut Call) -> NationalResult<[u8; 16]> {
    call.run(|s| s.ensure_card_id())
}

fn pending(call: &Call, interface: Interface, card_id: [u8; 16], df: DfId, op: Op) -> HsmPending {
    HsmPending {
        interface,
        card_id,
        algorithm_id: call.session.algorithm_id(),
        version: call.session.version(),
        df,
        op,
    }
}

/// Open the card for the next step and check it is the one of the previous step (−22).
fn resume(dev: &mut dyn Device, p: &HsmPending) -> NationalResult<Call> {
    let mut call = Call::resume(dev, p.interface)?;
    call.session
        .resume(p.df, p.version, p.card_id, p.algorithm_id);
    Ok(call)
}

fn same_card(p: &HsmPending, card_id_hex: &str) -> NationalResult<()> {
    let id = hex::decode(card_id_hex).unwrap_or_default();
    if id.as_slice() != p.card_id.as_slice() {
        return Err(NationalError::Mismatch(format!(
            "the card in the reader ({card_id_hex}) is not the card of Step1"
        )));
    }
    Ok(())
}

/// GET CHALLENGE for `key`'s external authentication in `df` (selected first): the 4-field
/// request `算法标识|密钥地址|R|S|`, with S sscard's source block.
fn ext_auth_request(call: &mut Call, df: DfId, key: &'static KeySpec) -> NationalResult<String> {
    call.run(|s| s.select_df(df))?;
    let r = call.run(|s| s.get_challenge())?;
    let source: [u8; 8] = random()?;
    Ok(join([
        algorithm_hex(call.session.algorithm_id()).as_str(),
        key_address(key).as_str(),
        hex::encode_upper(r).as_str(),
        hex::encode_upper(source).as_str(),
    ]))
}

/// Step1 of an operation that starts with the external authentication of `key`: the request for
/// it (in the key's DF) and the pending state of `op`.
fn ext_auth_step1(
    call: &mut Call,
    interface: Interface,
    card_id: [u8; 16],
    key: &'static KeySpec,
    op: Op,
) -> NationalResult<(String, HsmPending)> {
    let out = ext_auth_request(call, key.df, key)?;
    Ok((out, pending(call, interface, card_id, key.df, op)))
}

/// `iReadCardBas_HSM_Step1(iType, pOutInfo)`.
pub fn read_card_bas_step1(
    dev: &mut dyn Device,
    itype: i32,
    fields: Step1Fields,
) -> NationalResult<(String, HsmPending)> {
    let interface = Interface::from_itype(itype)?;
    let mut call = Call::open(dev, itype)?;
    let issuer = call.run(|s| s.read_issuer())?;
    let card_id = card_id_of(&mut call)?;
    let v3 = call.session.version() == Some(SpecVersion::V3_00);
    let reset = crate::model::atr::historical_bytes(call.session.atr())
        .map(hex::encode_upper)
        .unwrap_or_default();
    let (auth, randoms) = if v3 {
        let p: [u8; 8] = random()?;
        let s: [u8; 8] = random()?;
        let source: [u8; 8] = random()?;
        // The challenge last: nothing may reach the card after it before Step2.
        let r = call.run(|s| s.get_challenge())?;
        (
            Some((p, s)),
            [p.to_vec(), s.to_vec(), r, source.to_vec()].map(hex::encode_upper),
        )
    } else {
        (None, Default::default())
    };
    let device = dev.device_no().unwrap_or_default();
    let mut out: Vec<&str> = vec![
        issuer.card_id.region.as_str(),
        reset.as_str(),
        "",
        issuer.card_id.raw.as_str(),
    ];
    let alg = algorithm_hex(call.session.algorithm_id());
    out[2] = alg.as_str();
    out.extend(randoms.iter().map(String::as_str));
    if fields == Step1Fields::Nine {
        out.push(device.as_str());
    }
    let text = join(out);
    let p = pending(
        &call,
        interface,
        card_id,
        sscard_specs::DfId::Ssse,
        Op::ReadCardBas { auth },
    );
    Ok((text, p))
}

/// `iReadCardBas_HSM_Step2(pKey, pOutInfo)`: for a 3.00 card, RKSSSE EXTERNAL AUTHENTICATE with
/// the HSM's cryptogram, INTERNAL AUTHENTICATE compared with the HSM's result (−25), then the
/// basic information (the terminal number from the device's configuration, or empty).
pub fn read_card_bas_step2(
    dev: &mut dyn Device,
    p: &HsmPending,
    key: &str,
) -> NationalResult<String> {
    let Op::ReadCardBas { auth } = &p.op else {
        return Err(NationalError::BadParameter(format!(
            "the pending HSM step is {}, not iReadCardBas",
            p.function()
        )));
    };
    let mut call = resume(dev, p)?;
    if let Some((pf, sf)) = auth {
        let k = parse_read_card_bas_key(key)?;
        call.run(|s| s.external_authenticate_with(key::RKSSSE, &k.external))?;
        let answer = call.run(|s| s.internal_authenticate_with(pf, sf))?;
        let head = answer.get(..8).unwrap_or_default();
        if !bool::from(head.ct_eq(&k.internal[..])) {
            return Err(NationalError::HsmMismatch);
        }
    }
    let issuer = call.run(|s| s.read_issuer())?;
    same_card(p, &issuer.card_id.raw)?;
    let holder = call.run(|s| s.read_holder())?;
    let info = call.session.basic_info(issuer, holder);
    let ids = TerminalIds {
        terminal_no: dev.terminal_no().unwrap_or_default(),
        device_no: dev.device_no().unwrap_or_default(),
    };
    Ok(format::read_card_bas(&info, &ids))
}

/// The one key the files' read rules need (−2204 when none does, −13 when they need several).
fn read_key(files: &[FileRequest], version: SpecVersion) -> NationalResult<Option<&'static str>> {
    let mut key = None;
    for f in files {
        let k = match f.ef().read_for(version) {
            ReadRule::Key(k) | ReadRule::PinOrKey(k) | ReadRule::PinAndKey(k) => k,
            _ => continue,
        };
        match key {
            Some(prev) if prev != k => {
                return Err(NationalError::Unsupported(format!(
                    "files needing two read keys ({prev}, {k}) in one HSM call"
                )))
            }
            _ => key = Some(k),
        }
    }
    Ok(key)
}

/// `iReadCard_HSM_Step1(iType, pCardInfo, pFileAddr, pOutInfo)`: the RK external
/// authentication request of the files' read key (−2204 "HSM not needed" when the files are
/// free to read).
pub fn read_card_step1(
    dev: &mut dyn Device,
    itype: i32,
    card_info: &str,
    file_addr: &str,
) -> NationalResult<(String, HsmPending)> {
    let interface = Interface::from_itype(itype)?;
    let files = parse_address(file_addr)?;
    let mut call = Call::open(dev, itype)?;
    check_card_info(&mut call, card_info)?;
    let version = call
        .run(|s| s.version_lenient())?
        .unwrap_or(SpecVersion::V2_00);
    let card_id = card_id_of(&mut call)?;
    let name = read_key(&files, version)?.ok_or(NationalError::HsmNotNeeded)?;
    let k = spec(name)?;
    let op = Op::ReadFiles { key: k.name, files };
    ext_auth_step1(&mut call, interface, card_id, k, op)
}

/// `iWriteCard_HSM_Step1(iType, pCardInfo, pFileAddr, pWriteData, pOutInfo)`: the UK external
/// authentication request (every value is checked first: a malformed one writes nothing).
pub fn write_card_step1(
    dev: &mut dyn Device,
    itype: i32,
    card_info: &str,
    file_addr: &str,
    write_data: &str,
) -> NationalResult<(String, HsmPending)> {
    let interface = Interface::from_itype(itype)?;
    parse_address(file_addr)?;
    let mut call = Call::open(dev, itype)?;
    check_card_info(&mut call, card_info)?;
    let (files, writes) = encode_writes(&mut call, file_addr, write_data)?;
    let card_id = card_id_of(&mut call)?;
    let mut key: Option<&'static str> = None;
    for f in &files {
        let WriteRule::Key(k) = f.ef().write else {
            return Err(NationalError::IllegalInput(format!(
                "{} is not writable",
                f.name()
            )));
        };
        if key.is_some_and(|prev| prev != k) {
            return Err(NationalError::Unsupported(
                "files with two update keys in one HSM call".into(),
            ));
        }
        key = Some(k);
    }
    let k = spec(key.ok_or_else(|| NationalError::BadParameter("nothing to write".into()))?)?;
    let op = Op::Write {
        key: k.name,
        files,
        writes,
    };
    ext_auth_step1(&mut call, interface, card_id, k, op)
}

/// `iReloadPIN_HSM_Step1(iType, pCardInfo, pOutInfo)`: the new PIN is entered (twice), then the
/// PUK external authentication request.
pub fn reload_pin_step1(
    dev: &mut dyn Device,
    itype: i32,
    card_info: &str,
) -> NationalResult<(String, HsmPending)> {
    pin_step1(dev, itype, card_info, true)
}

/// `iUnblockPIN_HSM_Step1(iType, pCardInfo, pOutInfo)`: the PUK external authentication request.
pub fn unblock_pin_step1(
    dev: &mut dyn Device,
    itype: i32,
    card_info: &str,
) -> NationalResult<(String, HsmPending)> {
    pin_step1(dev, itype, card_info, false)
}

fn pin_step1(
    dev: &mut dyn Device,
    itype: i32,
    card_info: &str,
    reload: bool,
) -> NationalResult<(String, HsmPending)> {
    let interface = Interface::from_itype(itype)?;
    let mut call = Call::open(dev, itype)?;
    check_card_info(&mut call, card_info)?;
    let card_id = card_id_of(&mut call)?;
    let new_pin = if reload {
        let new = dev.enter_pin(PinPrompt::New)?;
        let again = dev.enter_pin(PinPrompt::Confirm)?;
        if *new != *again {
            return Err(NationalError::PinsDiffer);
        }
        Pin::new(call.session.profile(), new.as_bytes())
            .map_err(|e| NationalError::PinLength(e.to_string()))?;
        Some(new)
    } else {
        None
    };
    let k = spec(key::PUK)?;
    ext_auth_step1(&mut call, interface, card_id, k, Op::PinAuth { new_pin })
}

/// `iDoDebit_HSM_Step1(iType, pCardInfo, pPayInfo, pOutInfo)`: pPayInfo as `iDoDebit`'s; the
/// holder's PIN, then INITIALIZE FOR PURCHASE with the configured terminal number (−14 when
/// none is configured); the output is the MAC1 request (the table above). The card's purchase
/// session waits for Step2: nothing else may reach the card in between.
pub fn do_debit_step1(
    dev: &mut dyn Device,
    itype: i32,
    card_info: &str,
    pay_info: &str,
) -> NationalResult<(String, HsmPending)> {
    let interface = Interface::from_itype(itype)?;
    let order = super::debit::order(pay_info)?;
    let terminal_digits = dev.terminal_no().unwrap_or_default();
    let terminal: [u8; 6] = hex::decode(&terminal_digits)
        .ok()
        .filter(|_| terminal_digits.len() == 12 && terminal_digits.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|b| <[u8; 6]>::try_from(b.as_slice()).ok())
        .ok_or_else(|| {
            NationalError::BadParameter(format!(
                "HSM mode needs the terminal number (terminal_no, 12 digits) in the configuration, got {terminal_digits:?}"
            ))
        })?;
    super::debit::require_card_info(card_info)?;
    let mut call = Call::open(dev, itype)?;
    check_card_info(&mut call, card_info)?;
    let card_id = card_id_of(&mut call)?;
    let pin = dev.enter_pin(PinPrompt::Verify)?;
    call.run(|s| s.verify_pin(&pin))?;
    let (r, tx) =
        call.run(|s| s.initialize_purchase(sscard_keys::purse::TerminalId(terminal), &order))?;
    let a = order.amounts;
    let out = join([
        algorithm_hex(call.session.algorithm_id()).as_str(),
        key_address(spec(key::DPK)?).as_str(),
        hex::encode_upper(r.random).as_str(),
        format!("{:04X}", r.counter).as_str(),
        format!("{:08X}", a.total.0).as_str(),
        format!("{:08X}", a.account_and_fund.0).as_str(),
        format!(
            "{:02X}{}",
            sscard_apdu::commands::purse::TX_PURCHASE,
            hex::encode_upper(terminal)
        )
        .as_str(),
        hex::encode_upper(order.when.to_bytes()).as_str(),
    ]);
    let p = pending(
        &call,
        interface,
        card_id,
        DfId::Df04,
        Op::Debit { tx: Box::new(tx) },
    );
    Ok((out, p))
}

/// `iDoDebit_HSM_Step2(pKey, pOutInfo)`: DEBIT FOR PURCHASE with the HSM's serial and MAC1 (the
/// time must be Step1's); the output is `iDoDebit`'s. The MAC2 is returned for the back end to
/// check (no PSAM here).
fn debit_step2(
    dev: &mut dyn Device,
    p: &HsmPending,
    tx: &crate::session::PendingTransaction,
    key: &str,
) -> NationalResult<String> {
    let f: Vec<&str> = key.split('|').map(str::trim).collect();
    let get = |i: usize| f.get(i).copied().unwrap_or_default();
    if f.iter().skip(3).any(|x| !x.is_empty()) {
        return Err(NationalError::BadParameter(
            "pKey: 3 fields expected".into(),
        ));
    }
    let serial = u32::from_be_bytes(hex_n(get(0), "the terminal serial")?);
    let when: [u8; 7] = hex_n(get(1), "the transaction time")?;
    if hex::encode_upper(when) != tx.date_time {
        return Err(NationalError::Mismatch(format!(
            "pKey time {} is not Step1's {}",
            get(1),
            tx.date_time
        )));
    }
    let mac1: [u8; 4] = hex_n(get(2), "MAC1")?;
    let mut call = resume(dev, p)?;
    let mut tx = tx.clone();
    tx.serial = Some(serial);
    let when = sscard_keys::purse::DateTime::from_bytes(when);
    let (mac2, tac) = call.run(|s| s.debit_for_purchase(&tx, when, mac1))?;
    let r = crate::session::purchase_receipt(&tx, &mac2, &tac, None, false);
    Ok(super::debit::debit_out(&r))
}

/// The next step of a pending HSM operation: `(pOutInfo, the pending state of a further step)`.
/// `function` is the exported name's operation (`"iReadCard"`, …); a pending state of another
/// operation is a bad parameter (−14).
pub fn step(
    dev: &mut dyn Device,
    function: &str,
    p: HsmPending,
    key: &str,
) -> NationalResult<(String, Option<HsmPending>)> {
    if p.function() != function {
        return Err(NationalError::BadParameter(format!(
            "the pending HSM step is {}, not {function}",
            p.function()
        )));
    }
    match &p.op {
        Op::ReadCardBas { .. } => read_card_bas_step2(dev, &p, key).map(|s| (s, None)),
        Op::ReadFiles { key: name, files } => {
            let c = parse_cryptogram_key(key)?;
            let mut call = resume(dev, &p)?;
            call.run(|s| s.external_authenticate_with(name, &c))?;
            read_files(&mut call, files).map(|s| (s, None))
        }
        Op::Write {
            key: name,
            files,
            writes,
        } => {
            let c = parse_cryptogram_key(key)?;
            let mut call = resume(dev, &p)?;
            call.run(|s| s.external_authenticate_with(name, &c))?;
            apply_writes(&mut call, writes)?;
            read_files(&mut call, files).map(|s| (s, None))
        }
        Op::PinAuth { new_pin } => {
            let c = parse_cryptogram_key(key)?;
            let mut call = resume(dev, &p)?;
            call.run(|s| s.external_authenticate_with(key::PUK, &c))?;
            let stk = spec(key::STK)?;
            let r = call.run(|s| s.get_challenge())?;
            let (cmd, block) = match new_pin {
                Some(pin) => {
                    let digits = Pin::new(call.session.profile(), pin.as_bytes())
                        .map_err(|e| NationalError::PinLength(e.to_string()))?;
                    let len = sscard_keys::session::encrypted_field_len(
                        call.session.profile(),
                        digits.to_bcd().len(),
                        call.session.profile().suite.block_size(),
                    );
                    let placeholder = vec![0u8; len];
                    let cmd = commands::pin_reload(&placeholder)
                        .map_err(|e| NationalError::Terminal(Error::Internal(e.to_string())))?;
                    (cmd, Some(len))
                }
                None => (commands::pin_unblock(), None),
            };
            let input = cmd.mac_input();
            let parts = input.parts();
            let head = parts.first().copied().unwrap_or_default();
            let header: [u8; 4] = head
                .get(..4)
                .and_then(|h| <[u8; 4]>::try_from(h).ok())
                .ok_or_else(|| NationalError::Terminal(Error::Internal("MAC header".into())))?;
            let lc = head.get(4).copied().unwrap_or_default();
            let mut fields = vec![
                algorithm_hex(call.session.algorithm_id()),
                key_address(stk),
                hex::encode_upper(&r),
                format!("{}{lc:02X}", hex::encode_upper(header)),
            ];
            if let Some(pin) = new_pin {
                fields.push(pin.to_string());
            }
            let out = join(fields.iter().map(String::as_str));
            let next = HsmPending {
                op: Op::PinMac { header, block },
                ..p
            };
            Ok((out, Some(next)))
        }
        Op::Debit { tx } => debit_step2(dev, &p, tx, key).map(|s| (s, None)),
        Op::PinMac { header, block } => {
            let (enc, mac) = parse_mac_key(key, block.unwrap_or(0))?;
            let mut call = resume(dev, &p)?;
            let mut apdu = header.to_vec();
            let lc = u8::try_from(enc.len() + 4)
                .map_err(|_| NationalError::BadParameter("pKey too long".into()))?;
            apdu.push(lc);
            apdu.extend_from_slice(&enc);
            apdu.extend_from_slice(&mac);
            let resp = call.session.transport_mut().transmit(&apdu)?;
            let sw = resp
                .get(resp.len().saturating_sub(2)..)
                .and_then(|s| <[u8; 2]>::try_from(s).ok())
                .map(StatusWord::from_bytes)
                .ok_or(NationalError::Terminal(Error::Transport(
                    crate::transport::TransportError::NoResponse(resp.len()),
                )))?;
            if sw != StatusWord::OK {
                return Err(NationalError::Terminal(Error::refused(p.function(), sw)));
            }
            Ok((String::new(), None))
        }
    }
}

/// A test back end playing the online HSM from an issuer key set (the demo keys): it answers the
/// Step1/Step2 strings above. Real HSMs take the diversification data (region, ATR) from the
/// caller's earlier `iReadCardBas`; so does this one.
pub struct TestHsm {
    sm: SoftwareSecurityModule,
}

impl std::fmt::Debug for TestHsm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestHsm").finish_non_exhaustive()
    }
}

/// The card a [`TestHsm`] request is about: the ATR's historical bytes and the card
/// identification code (both hex, as `iReadCardBas` reports them).
#[derive(Clone, Debug)]
pub struct HsmCard {
    /// 卡复位信息 (hex).
    pub reset_info: String,
    /// 卡识别码 (32 hex).
    pub card_id: String,
}

impl TestHsm {
    /// An HSM over these keys.
    pub fn new(sm: SoftwareSecurityModule) -> Self {
        TestHsm { sm }
    }

    fn factors(&self, name: &str, card: &HsmCard) -> NationalResult<DiversificationFactors> {
        let bad = |what: &str| NationalError::BadParameter(format!("HSM request: {what}"));
        let hist = hex::decode(&card.reset_info).map_err(|_| bad("reset info"))?;
        let atr8: [u8; 8] = hist
            .get(hist.len().saturating_sub(8)..)
            .and_then(|s| <[u8; 8]>::try_from(s).ok())
            .ok_or_else(|| bad("reset info shorter than 8 bytes"))?;
        let id = hex::decode(&card.card_id).map_err(|_| bad("card id"))?;
        let region: [u8; 3] = id
            .get(..3)
            .and_then(|s| <[u8; 3]>::try_from(s).ok())
            .ok_or_else(|| bad("card id"))?;
        let levels = spec(name)?.levels;
        DiversificationFactors::for_levels_with(&self.sm.profile().factors, levels, &atr8, &region)
            .map_err(|e| bad(&e.to_string()))
    }

    fn sm_err(e: impl std::fmt::Display) -> NationalError {
        NationalError::Terminal(Error::SecurityModule(e.to_string()))
    }

    /// The pKey for `iReadCardBas_HSM_Step2` from the Step1 string (8 or 9 fields).
    pub fn read_card_bas(&mut self, step1: &str) -> NationalResult<String> {
        let f: Vec<&str> = step1.split('|').collect();
        let get = |i: usize| f.get(i).copied().unwrap_or_default();
        if get(4).is_empty() {
            return Ok("|".into());
        }
        let card = HsmCard {
            reset_info: get(1).into(),
            card_id: get(3).into(),
        };
        let p: [u8; 8] = hex_n(get(4), "P")?;
        let s: [u8; 8] = hex_n(get(5), "S")?;
        let r: [u8; 8] = hex_n(get(6), "R")?;
        let source: [u8; 8] = hex_n(get(7), "S2")?;
        let irk = self.factors(key::IRK, &card)?;
        let internal = self
            .sm
            .internal_auth_expected(KeyRef::new(key::IRK), &irk, &p, &s)
            .map_err(Self::sm_err)?;
        let mut first = internal.to_vec();
        first.resize(16, 0);
        let rk = self.factors(key::RKSSSE, &card)?;
        let external = self
            .sm
            .external_auth(KeyRef::new(key::RKSSSE), &rk, &r, &source)
            .map_err(Self::sm_err)?;
        Ok(format!(
            "{}|{}|",
            hex::encode_upper(first),
            hex::encode_upper(external)
        ))
    }

    /// The pKey for an external-authentication request `算法标识|密钥地址|R|S|`.
    pub fn external_auth(&mut self, request: &str, card: &HsmCard) -> NationalResult<String> {
        let req = Request::parse(request)?;
        let s: [u8; 8] = hex_n(req.field(3), "S")?;
        let factors = self.factors(req.key.name, card)?;
        let c = self
            .sm
            .external_auth(KeyRef::new(req.key.name), &factors, &req.r, &s)
            .map_err(Self::sm_err)?;
        Ok(format!("{}|", hex::encode_upper(c)))
    }

    /// The pKey for an `iDoDebit_HSM_Step1` request: terminal serial `0000 ‖ 交易计数器` (the
    /// convention of integrators.md §4.2), the time, and MAC1 under SESPK from DPK.
    pub fn debit_mac1(&mut self, request: &str, card: &HsmCard) -> NationalResult<String> {
        use sscard_keys::purse::{
            Amount, CardRandom, DateTime, MedicalAmounts, MedicalPurchase, OfflineCounter,
            PurchaseSession, TerminalId, TerminalSerial, TransactionType,
        };
        let f: Vec<&str> = request.split('|').collect();
        let get = |i: usize| f.get(i).copied().unwrap_or_default();
        let k = key_at_address(get(1))
            .filter(|k| k.name == key::DPK)
            .ok_or_else(|| NationalError::BadParameter(format!("no DPK at address {}", get(1))))?;
        let random: [u8; 4] = hex_n(get(2), "random")?;
        let counter = u16::from_be_bytes(hex_n(get(3), "counter")?);
        let total = u32::from_be_bytes(hex_n(get(4), "total")?);
        let fund = u32::from_be_bytes(hex_n(get(5), "account+fund")?);
        let tt: [u8; 7] = hex_n(get(6), "type and terminal")?;
        let when: [u8; 7] = hex_n(get(7), "time")?;
        let factors = self.factors(k.name, card)?;
        let dpk = self
            .sm
            .keys
            .card_key(k.name, &factors)
            .map_err(Self::sm_err)?;
        let serial = TerminalSerial(u32::from(counter));
        let session = PurchaseSession::new(
            self.sm.profile(),
            &dpk,
            CardRandom(random),
            OfflineCounter(counter),
            serial,
        )
        .map_err(Self::sm_err)?;
        let mut terminal = [0u8; 6];
        terminal.copy_from_slice(&tt[1..]);
        let tx = MedicalPurchase {
            amounts: MedicalAmounts::settlement(Amount(total), Amount(fund)),
            tx_type: TransactionType(tt[0]),
            terminal: TerminalId(terminal),
            serial,
            when: DateTime::from_bytes(when),
        };
        let mac1 = session.mac1(&tx).map_err(Self::sm_err)?;
        Ok(format!(
            "{:08X}|{}|{}|",
            serial.0,
            hex::encode_upper(when),
            hex::encode_upper(mac1)
        ))
    }

    /// The pKey for a MAC request `算法标识|密钥地址|R|MAC头|[新PIN|]`.
    pub fn pin_mac(&mut self, request: &str, card: &HsmCard) -> NationalResult<String> {
        let req = Request::parse(request)?;
        let (k, r) = (req.key, req.r);
        let header: [u8; 5] = hex_n(req.field(3), "MAC header")?;
        let factors = self.factors(k.name, card)?;
        let new_pin = req.field(4);
        let block = if new_pin.is_empty() {
            Vec::new()
        } else {
            let pin = Pin::new(self.sm.profile(), new_pin.as_bytes())
                .map_err(|e| NationalError::PinLength(e.to_string()))?;
            self.sm
                .encrypt_pin_block(KeyRef::new(k.name), &factors, &r, &pin)
                .map_err(Self::sm_err)?
                .to_vec()
        };
        let mac = self
            .sm
            .line_mac(KeyRef::new(k.name), &factors, &r, &[&header, &block])
            .map_err(Self::sm_err)?;
        Ok(format!(
            "{}{}|",
            hex::encode_upper(&block),
            hex::encode_upper(mac)
        ))
    }
}
