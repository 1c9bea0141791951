//! The DF04 medical purse (sscard-spec.md §6.5, `docs/purse.md`): INITIALIZE FOR PURCHASE /
//! LOAD, DEBIT FOR PURCHASE, CREDIT FOR LOAD, GET BALANCE, GET TRANSACTION PROVE.
//!
//! INITIALIZE only reads the image and opens a [`PurseSession`] in RAM; DEBIT / CREDIT check
//! MAC1 / MAC2 (constant time), then write the amount file, the last-transaction proof and the
//! EF08 (and EF15) record in **one** journal batch, so a power cut leaves all or nothing. Keys
//! are loaded per command from the key file and wiped on drop; nothing is logged.

use crate::chip::rng::Rng;
use crate::chip::{Reply, Res};
use crate::ctx::{Config, Nvm, ReadCtx, WriteCtx};
use crate::fs::{keyfile, records};
use crate::layout::{purse as area, EfGeom};
use crate::security::state::PurseSession;
use crate::store::Store;
use sscard_apdu::commands::purse::{
    Credit, Debit, InitLoad, InitLoadResponse, InitPurchase, InitPurchaseResponse, ProveKind,
    ProveResponse, TX_LOAD, TX_PURCHASE,
};
use sscard_apdu::StatusWord;
use sscard_keys::profile::Suite;
use sscard_keys::purse::{
    Amount, Balance, CardRandom, DateTime, Load, LoadSession, MedicalAmounts, MedicalPurchase,
    OfflineCounter, OnlineCounter, PurchaseSession, TacKey, TerminalId, TerminalSerial,
    TransactionType,
};
use sscard_keys::Key;
use sscard_specs::ef::{EfRef, DF04_EF08, DF04_EF15};
use sscard_specs::files::DFS;
use sscard_specs::key::{DLK, DPK, DTK};
use sscard_specs::keys::key_by_name;
use sscard_specs::purse::{self as spec, amount_file as af, ef08, ef15};
use sscard_specs::types::{DfId, KeyName};

/// The amount file, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct AmountFile {
    online: u16,
    offline: u16,
    balance: u32,
    self_pay: u32,
    pooled: u32,
    pay_year: [u8; 2],
    year_start: [u8; 2],
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([
        b.get(at).copied().unwrap_or(0),
        b.get(at + 1).copied().unwrap_or(0),
    ])
}

fn be32(b: &[u8], at: usize) -> u32 {
    (u32::from(be16(b, at)) << 16) | u32::from(be16(b, at + 2))
}

fn put(out: &mut [u8], at: usize, src: &[u8]) {
    out.iter_mut().skip(at).zip(src).for_each(|(d, s)| *d = *s);
}

impl AmountFile {
    fn read<N: Nvm>(nvm: &N, config: &Config) -> Result<Self, StatusWord> {
        let mut b = [0u8; af::LEN];
        nvm.journal()
            .read(config.layout.purse() + area::AMOUNT, &mut b)?;
        Ok(AmountFile {
            online: be16(&b, af::ONLINE_CTR),
            offline: be16(&b, af::OFFLINE_CTR),
            balance: be32(&b, af::BALANCE),
            self_pay: be32(&b, af::YEAR_SELF_PAY),
            pooled: be32(&b, af::YEAR_POOLED),
            pay_year: be16(&b, af::PAY_YEAR).to_be_bytes(),
            year_start: be16(&b, af::YEAR_START).to_be_bytes(),
        })
    }

    fn write_to(&self, out: &mut [u8]) {
        put(out, af::ONLINE_CTR, &self.online.to_be_bytes());
        put(out, af::OFFLINE_CTR, &self.offline.to_be_bytes());
        put(out, af::BALANCE, &self.balance.to_be_bytes());
        put(out, af::YEAR_SELF_PAY, &self.self_pay.to_be_bytes());
        put(out, af::YEAR_POOLED, &self.pooled.to_be_bytes());
        put(out, af::PAY_YEAR, &self.pay_year);
        put(out, af::YEAR_START, &self.year_start);
    }
}

/// Purse commands act on the selected DF04 (`6985` otherwise).
fn in_df04<N>(ctx: &crate::ctx::Ctx<'_, N>) -> Result<(), StatusWord> {
    if ctx.ram.df == DfId::Df04 {
        Ok(())
    } else {
        Err(StatusWord::CONDITIONS_NOT_SATISFIED)
    }
}

/// A purse key from the key file; `9403` when the card holds none.
fn purse_key<N: Nvm>(nvm: &N, config: &Config, name: KeyName) -> Result<Key, StatusWord> {
    let spec = key_by_name(name).ok_or(StatusWord::KEY_INDEX_UNSUPPORTED)?;
    keyfile::load(nvm.journal(), &config.layout, spec)
        .map(|k| k.key)
        .map_err(|_| StatusWord::KEY_INDEX_UNSUPPORTED)
}

fn alg_id(config: &Config) -> u8 {
    match config.card.profile.suite {
        Suite::Tdes => spec::ALG_ID_TDES,
        Suite::Sm4 => spec::ALG_ID_SM4,
    }
}

fn ef_geom(config: &Config, r: EfRef) -> Result<EfGeom, StatusWord> {
    let df = DFS
        .get(DfId::Df04.index())
        .ok_or(StatusWord::FILE_NOT_FOUND)?;
    let idx = df
        .efs
        .iter()
        .position(|e| e.fid == r.fid())
        .ok_or(StatusWord::FILE_NOT_FOUND)?;
    config
        .layout
        .ef(DfId::Df04, idx)
        .ok_or(StatusWord::FILE_NOT_FOUND)
}

const CRYPTO: StatusWord = StatusWord::NO_PRECISE_DIAGNOSIS;

#[inline(never)] // its buffers stay out of the dispatcher's frame (qemu stack figure)
pub(crate) fn initialize_for_purchase<S: Store>(
    ctx: ReadCtx<'_, S>,
    rng: &mut Rng,
    c: InitPurchase,
    out: &mut [u8],
) -> Res {
    in_df04(&ctx)?;
    if spec::PURCHASE_NEEDS_PIN && !ctx.ram.pin_ok {
        return Err(StatusWord::SECURITY_NOT_SATISFIED);
    }
    if c.key_index != spec::PURCHASE_KEY_INDEX {
        return Err(StatusWord::KEY_INDEX_UNSUPPORTED);
    }
    purse_key(&ctx.nvm, ctx.config, DPK)?;
    if !spec::is_class(c.class) {
        return Err(StatusWord::WRONG_DATA);
    }
    let a = AmountFile::read(&ctx.nvm, ctx.config)?;
    if a.offline == u16::MAX {
        return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
    }
    if c.amounts.personal_account > a.balance {
        return Err(StatusWord::INSUFFICIENT_BALANCE);
    }
    let mut random = [0u8; 4];
    rng.fill(&mut random);
    let r = InitPurchaseResponse {
        balance: a.balance,
        counter: a.offline,
        overdraft: spec::OVERDRAFT_LIMIT,
        key_version: spec::KEY_VERSION,
        alg_id: alg_id(ctx.config),
        random,
    }
    .to_bytes();
    let dst = out.get_mut(..r.len()).ok_or(StatusWord::WRONG_LENGTH)?;
    dst.copy_from_slice(&r);
    ctx.ram.purse = Some(PurseSession::Purchase {
        amounts: c.amounts,
        terminal: c.terminal,
        class: c.class,
        random,
        counter: a.offline,
    });
    Ok(Reply::data(r.len()))
}

#[inline(never)] // its buffers stay out of the dispatcher's frame (qemu stack figure)
pub(crate) fn debit_for_purchase<S: Store>(
    ctx: WriteCtx<'_, S>,
    session: Option<PurseSession>,
    d: Debit,
    out: &mut [u8],
) -> Res {
    in_df04(&ctx)?;
    let Some(PurseSession::Purchase {
        amounts,
        terminal,
        class,
        random,
        counter,
    }) = session
    else {
        return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
    };
    if !spec::valid_date_time(d.date, d.time) {
        return Err(StatusWord::WRONG_DATA);
    }
    let mut a = AmountFile::read(&ctx.nvm, ctx.config)?;
    if a.offline != counter {
        return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
    }
    let profile = ctx.config.card.profile;
    let tx = MedicalPurchase {
        amounts: MedicalAmounts {
            personal_account: Amount(amounts.personal_account),
            total: Amount(amounts.total),
            account_and_fund: Amount(amounts.account_and_fund),
        },
        tx_type: TransactionType(TX_PURCHASE),
        terminal: TerminalId(terminal),
        serial: TerminalSerial(d.serial),
        when: DateTime::new(d.date, d.time),
    };
    let dpk = purse_key(&ctx.nvm, ctx.config, DPK)?;
    let ps = PurchaseSession::new(
        profile,
        &dpk,
        CardRandom(random),
        OfflineCounter(counter),
        TerminalSerial(d.serial),
    )
    .map_err(|_| CRYPTO)?;
    drop(dpk);
    if !ps.verify_mac1(&tx, &d.mac1) {
        return Err(StatusWord::MAC_INVALID);
    }
    let balance = a
        .balance
        .checked_sub(amounts.personal_account)
        .ok_or(StatusWord::INSUFFICIENT_BALANCE)?;
    // Yearly roll-over, then the accumulators.
    let year = spec::accounting_year(d.date, a.year_start).ok_or(StatusWord::WRONG_DATA)?;
    if spec::bcd_year(a.pay_year).is_none_or(|y| y == 0 || year > y) {
        a.self_pay = 0;
        a.pooled = 0;
        a.pay_year = spec::year_bcd(year);
    }
    a.self_pay = a
        .self_pay
        .checked_add(amounts.total)
        .ok_or(StatusWord::WRONG_DATA)?;
    a.pooled = a
        .pooled
        .checked_add(amounts.account_and_fund)
        .ok_or(StatusWord::WRONG_DATA)?;
    a.balance = balance;
    a.offline = counter
        .checked_add(1)
        .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
    let mac2 = ps.mac2(&tx).map_err(|_| CRYPTO)?;
    let dtk = purse_key(&ctx.nvm, ctx.config, DTK)?;
    let tac = TacKey::new(profile, &dtk)
        .and_then(|k| k.purchase_tac(&tx))
        .map_err(|_| CRYPTO)?;
    drop(dtk);
    // Amount file ‖ purchase proof: one contiguous write.
    let mut af_proof = [0u8; af::LEN + area::PROOF_PURCHASE_LEN];
    a.write_to(&mut af_proof);
    let p = af::LEN;
    put(&mut af_proof, p, &[1]);
    put(&mut af_proof, p + 1, &counter.to_be_bytes());
    put(&mut af_proof, p + 3, &mac2);
    put(&mut af_proof, p + 7, &tac);
    // EF08 record.
    let mut rec = [0u8; ef08::LEN];
    put(&mut rec, ef08::SEQ, &counter.to_be_bytes());
    put(&mut rec, ef08::TYPE, &[spec::EF08_TYPE_SETTLEMENT]);
    put(&mut rec, ef08::TERMINAL, &terminal);
    put(&mut rec, ef08::TIME, &d.date);
    put(&mut rec, ef08::TIME + 4, &d.time);
    put(
        &mut rec,
        ef08::PERSONAL,
        &amounts.personal_account.to_be_bytes(),
    );
    put(&mut rec, ef08::SELF_PAY, &amounts.total.to_be_bytes());
    put(
        &mut rec,
        ef08::POOLED,
        &amounts.account_and_fund.to_be_bytes(),
    );
    let g08 = ef_geom(ctx.config, DF04_EF08)?;
    let mut buf08 = [0u8; ef08::LEN + 1];
    let p08 = records::append_plan(ctx.nvm, g08, &rec, &mut buf08)?;
    let img08 = buf08.get(..p08.slot_len).ok_or(StatusWord::WRONG_LENGTH)?;
    let base = ctx.config.layout.purse() + area::AMOUNT;
    let mut rec15 = [0u8; ef15::LEN];
    put(&mut rec15, ef15::SEQ, &counter.to_be_bytes());
    put(&mut rec15, ef15::CLASS, &[class]);
    let mut buf15 = [0u8; ef15::LEN + 1];
    if spec::writes_ef15(class) {
        let g15 = ef_geom(ctx.config, DF04_EF15)?;
        let p15 = records::append_plan(ctx.nvm, g15, &rec15, &mut buf15)?;
        let img15 = buf15.get(..p15.slot_len).ok_or(StatusWord::WRONG_LENGTH)?;
        ctx.nvm.atomic(&[
            (base, &af_proof),
            (p08.slot_off, img08),
            (p08.header_off, &p08.header),
            (p15.slot_off, img15),
            (p15.header_off, &p15.header),
        ])?;
    } else {
        ctx.nvm.atomic(&[
            (base, &af_proof),
            (p08.slot_off, img08),
            (p08.header_off, &p08.header),
        ])?;
    }
    let dst = out.get_mut(..8).ok_or(StatusWord::WRONG_LENGTH)?;
    put(dst, 0, &tac);
    put(dst, 4, &mac2);
    Ok(Reply::data(8))
}

#[inline(never)] // its buffers stay out of the dispatcher's frame (qemu stack figure)
pub(crate) fn initialize_for_load<S: Store>(
    ctx: ReadCtx<'_, S>,
    rng: &mut Rng,
    c: InitLoad,
    out: &mut [u8],
) -> Res {
    in_df04(&ctx)?;
    if spec::LOAD_NEEDS_PIN && !ctx.ram.pin_ok {
        return Err(StatusWord::SECURITY_NOT_SATISFIED);
    }
    if c.key_index != spec::LOAD_KEY_INDEX {
        return Err(StatusWord::KEY_INDEX_UNSUPPORTED);
    }
    let dlk = purse_key(&ctx.nvm, ctx.config, DLK)?;
    if c.amount == 0 {
        return Err(StatusWord::WRONG_DATA);
    }
    let a = AmountFile::read(&ctx.nvm, ctx.config)?;
    if a.online == u16::MAX {
        return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
    }
    a.balance
        .checked_add(c.amount)
        .ok_or(StatusWord::WRONG_DATA)?;
    let mut random = [0u8; 4];
    rng.fill(&mut random);
    let load = Load {
        amount: Amount(c.amount),
        tx_type: TransactionType(TX_LOAD),
        terminal: TerminalId(c.terminal),
    };
    let mac1 = LoadSession::new(
        ctx.config.card.profile,
        &dlk,
        CardRandom(random),
        OnlineCounter(a.online),
    )
    .and_then(|s| s.mac1(Balance(a.balance), &load))
    .map_err(|_| CRYPTO)?;
    let r = InitLoadResponse {
        balance: a.balance,
        counter: a.online,
        key_version: spec::KEY_VERSION,
        alg_id: alg_id(ctx.config),
        random,
        mac1,
    }
    .to_bytes();
    let dst = out.get_mut(..r.len()).ok_or(StatusWord::WRONG_LENGTH)?;
    dst.copy_from_slice(&r);
    ctx.ram.purse = Some(PurseSession::Load {
        amount: c.amount,
        terminal: c.terminal,
        random,
        counter: a.online,
        balance: a.balance,
    });
    Ok(Reply::data(r.len()))
}

#[inline(never)] // its buffers stay out of the dispatcher's frame (qemu stack figure)
pub(crate) fn credit_for_load<S: Store>(
    ctx: WriteCtx<'_, S>,
    session: Option<PurseSession>,
    c: Credit,
    out: &mut [u8],
) -> Res {
    in_df04(&ctx)?;
    let Some(PurseSession::Load {
        amount,
        terminal,
        random,
        counter,
        balance,
    }) = session
    else {
        return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
    };
    if !spec::valid_date_time(c.date, c.time) {
        return Err(StatusWord::WRONG_DATA);
    }
    let mut a = AmountFile::read(&ctx.nvm, ctx.config)?;
    if a.online != counter || a.balance != balance {
        return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
    }
    let profile = ctx.config.card.profile;
    let load = Load {
        amount: Amount(amount),
        tx_type: TransactionType(TX_LOAD),
        terminal: TerminalId(terminal),
    };
    let when = DateTime::new(c.date, c.time);
    let dlk = purse_key(&ctx.nvm, ctx.config, DLK)?;
    let ls = LoadSession::new(profile, &dlk, CardRandom(random), OnlineCounter(counter))
        .map_err(|_| CRYPTO)?;
    drop(dlk);
    if !ls.verify_mac2(&load, &when, &c.mac2) {
        return Err(StatusWord::MAC_INVALID);
    }
    a.balance = balance.checked_add(amount).ok_or(StatusWord::WRONG_DATA)?;
    a.online = counter
        .checked_add(1)
        .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
    let dtk = purse_key(&ctx.nvm, ctx.config, DTK)?;
    let tac = TacKey::new(profile, &dtk)
        .and_then(|k| k.load_tac(Balance(a.balance), OnlineCounter(counter), &load, &when))
        .map_err(|_| CRYPTO)?;
    drop(dtk);
    let mut amount_img = [0u8; af::LEN];
    a.write_to(&mut amount_img);
    let mut proof = [0u8; area::PROOF_LOAD_LEN];
    put(&mut proof, 0, &[1]);
    put(&mut proof, 1, &counter.to_be_bytes());
    put(&mut proof, 3, &tac);
    let mut rec = [0u8; ef08::LEN];
    put(&mut rec, ef08::SEQ, &counter.to_be_bytes());
    put(&mut rec, ef08::TYPE, &[spec::EF08_TYPE_LOAD]);
    put(&mut rec, ef08::TERMINAL, &terminal);
    put(&mut rec, ef08::TIME, &c.date);
    put(&mut rec, ef08::TIME + 4, &c.time);
    put(&mut rec, ef08::PERSONAL, &amount.to_be_bytes());
    let g08 = ef_geom(ctx.config, DF04_EF08)?;
    let mut buf08 = [0u8; ef08::LEN + 1];
    let p08 = records::append_plan(ctx.nvm, g08, &rec, &mut buf08)?;
    let img08 = buf08.get(..p08.slot_len).ok_or(StatusWord::WRONG_LENGTH)?;
    let base = ctx.config.layout.purse();
    ctx.nvm.atomic(&[
        (base + area::AMOUNT, &amount_img),
        (base + area::PROOF_LOAD, &proof),
        (p08.slot_off, img08),
        (p08.header_off, &p08.header),
    ])?;
    let dst = out.get_mut(..4).ok_or(StatusWord::WRONG_LENGTH)?;
    dst.copy_from_slice(&tac);
    Ok(Reply::data(4))
}

#[inline(never)] // its buffers stay out of the dispatcher's frame (qemu stack figure)
pub(crate) fn get_balance<S: Store>(ctx: ReadCtx<'_, S>, out: &mut [u8]) -> Res {
    in_df04(&ctx)?;
    let a = AmountFile::read(&ctx.nvm, ctx.config)?;
    let dst = out.get_mut(..4).ok_or(StatusWord::WRONG_LENGTH)?;
    dst.copy_from_slice(&a.balance.to_be_bytes());
    Ok(Reply::data(4))
}

#[inline(never)] // its buffers stay out of the dispatcher's frame (qemu stack figure)
pub(crate) fn get_transaction_prove<S: Store>(
    ctx: ReadCtx<'_, S>,
    kind: ProveKind,
    counter: u16,
    out: &mut [u8],
) -> Res {
    in_df04(&ctx)?;
    let base = ctx.config.layout.purse();
    let mut b = [0u8; area::PROOF_PURCHASE_LEN];
    let (off, len) = match kind {
        ProveKind::Purchase => (area::PROOF_PURCHASE, area::PROOF_PURCHASE_LEN),
        ProveKind::Load => (area::PROOF_LOAD, area::PROOF_LOAD_LEN),
    };
    let buf = b.get_mut(..len).ok_or(StatusWord::WRONG_LENGTH)?;
    ctx.nvm.read(base + off, buf)?;
    if buf.first() != Some(&1) || be16(buf, 1) != counter {
        return Err(StatusWord::MAC_TAC_UNAVAILABLE);
    }
    let mut tac = [0u8; 4];
    let r = match kind {
        ProveKind::Purchase => {
            let mut mac2 = [0u8; 4];
            put(&mut mac2, 0, buf.get(3..7).unwrap_or(&[]));
            put(&mut tac, 0, buf.get(7..11).unwrap_or(&[]));
            ProveResponse {
                mac2: Some(mac2),
                tac,
            }
        }
        ProveKind::Load => {
            put(&mut tac, 0, buf.get(3..7).unwrap_or(&[]));
            ProveResponse { mac2: None, tac }
        }
    };
    let dst = out.get_mut(..8).ok_or(StatusWord::WRONG_LENGTH)?;
    Ok(Reply::data(r.write(dst)))
}
