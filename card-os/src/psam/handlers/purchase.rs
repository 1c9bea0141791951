//! The purchase side of the PSAM (`docs/purse.md` §4): `80 70` INIT SAM FOR PURCHASE computes
//! MAC1 for a card with the PSAM's next terminal transaction serial (persisted before the
//! answer), `80 72` VERIFY MAC2 checks the card's MAC2 (constant time) and ends the purchase.
//!
//! Rules: DF01 selected (`6985`); the DPK root record (`sscard_specs::psam`) must exist (`6A88`);
//! as many factors as the key's levels, type `06`, a valid BCD date-time (`6A80`); serial at
//! `FFFFFFFF` `6985`; VERIFY MAC2 without INIT `6985`, wrong `9302`; either answer ends the
//! purchase, as do the next INIT, any SELECT, reset and power-off.

use super::Config;
use crate::chip::{Reply, Res};
use crate::psam::image;
use crate::psam::state::{Df, Purchase, Volatile};
use crate::store::Store;
use sscard_apdu::commands::purse::{PsamInitPurchase, PsamMac1Response, TX_PURCHASE};
use sscard_apdu::StatusWord;
use sscard_keys::diversify::diversify_multi;
use sscard_keys::purse::{
    Amount, CardRandom, DateTime, MedicalAmounts, MedicalPurchase, OfflineCounter, PurchaseSession,
    TerminalId, TerminalSerial, TransactionType,
};
use sscard_specs::key::DPK;
use sscard_specs::psam::{key_slot_by_name, TERMINAL_NUMBER_LEN};
use sscard_specs::purse::valid_date_time;
use zeroize::Zeroizing;

/// What the purchase handlers may touch: the image writable (the serial), RAM, configuration.
pub(crate) struct PurchaseCtx<'a, S> {
    pub store: &'a mut S,
    pub ram: &'a mut Volatile,
    pub config: &'a Config,
}

const FACTOR: usize = sscard_apdu::commands::purse::PSAM_FACTOR_LEN;
const MAX_FACTORS: usize = sscard_apdu::commands::purse::PSAM_MAX_FACTORS;

pub(crate) fn init_for_purchase<S: Store>(
    ctx: PurchaseCtx<'_, S>,
    c: PsamInitPurchase<'_>,
    out: &mut [u8],
) -> Res {
    ctx.ram.purchase = None;
    if ctx.ram.df != Df::Df01 {
        return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
    }
    let (_, slot) = key_slot_by_name(DPK).ok_or(StatusWord::KEY_NOT_FOUND)?;
    let root = image::find_key(&*ctx.store, ctx.config.key_count, slot.usage, slot.id)
        .ok_or(StatusWord::KEY_NOT_FOUND)?;
    let levels = usize::from(slot.levels());
    if c.factors.len() != levels * FACTOR || levels > MAX_FACTORS {
        return Err(StatusWord::WRONG_DATA);
    }
    if c.tx_type != TX_PURCHASE || !valid_date_time(c.date, c.time) {
        return Err(StatusWord::WRONG_DATA);
    }
    let mut fs = Zeroizing::new([[0u8; FACTOR]; MAX_FACTORS]);
    for (d, s) in fs.iter_mut().zip(c.factors.chunks_exact(FACTOR)) {
        d.copy_from_slice(s);
    }
    let fs = fs.get(..levels).ok_or(StatusWord::WRONG_DATA)?;
    let dpk = diversify_multi(&root, fs).map_err(|_| StatusWord::NO_PRECISE_DIAGNOSIS)?;
    drop(root);
    let mut terminal = [0u8; TERMINAL_NUMBER_LEN];
    ctx.store.read(image::OFF_EF16, &mut terminal)?;
    let serial = image::read_serial(&*ctx.store)?
        .checked_add(1)
        .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
    let session = PurchaseSession::new(
        ctx.config.profile,
        &dpk,
        CardRandom(c.random),
        OfflineCounter(c.counter),
        TerminalSerial(serial),
    )
    .map_err(|_| StatusWord::NO_PRECISE_DIAGNOSIS)?;
    drop(dpk);
    let a = c.amounts;
    let tx = MedicalPurchase {
        amounts: MedicalAmounts {
            personal_account: Amount(a.personal_account),
            total: Amount(a.total),
            account_and_fund: Amount(a.account_and_fund),
        },
        tx_type: TransactionType(c.tx_type),
        terminal: TerminalId(terminal),
        serial: TerminalSerial(serial),
        when: DateTime::new(c.date, c.time),
    };
    let mac1 = session
        .mac1(&tx)
        .map_err(|_| StatusWord::NO_PRECISE_DIAGNOSIS)?;
    // The serial is spent before its MAC1 leaves the PSAM.
    image::write_serial(ctx.store, serial)?;
    let r = PsamMac1Response { serial, mac1 }.to_bytes();
    let dst = out.get_mut(..r.len()).ok_or(StatusWord::WRONG_LENGTH)?;
    dst.copy_from_slice(&r);
    ctx.ram.purchase = Some(Purchase { session, tx });
    Ok(Reply::data(r.len()))
}

pub(crate) fn verify_mac2<S>(ctx: PurchaseCtx<'_, S>, mac2: &[u8; 4]) -> Res {
    let p = ctx
        .ram
        .purchase
        .take()
        .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
    if p.session.verify_mac2(&p.tx, mac2) {
        Ok(Reply::OK)
    } else {
        Err(StatusWord::MAC_INVALID)
    }
}
