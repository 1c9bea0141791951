/* The PC/SC part 10 PIN-pad structures as pcsc-lite's reader.h lays them out, filled by field
 * name with the values sscard's PinPadLayout::new(6, 30) means (tests/pinpad_layout.rs compares
 * the bytes). Prints two hex lines: PIN_VERIFY_STRUCTURE + abData, PIN_MODIFY_STRUCTURE + abData. */
#include <reader.h>
#include <stdio.h>
#include <string.h>

static void hex(const unsigned char *p, size_t n) {
	for (size_t i = 0; i < n; i++) printf("%02X", p[i]);
	printf("\n");
}

int main(void) {
	unsigned char vbuf[64], mbuf[64];
	static const unsigned char verify_apdu[] = {0x00, 0x20, 0x00, 0x00, 0x03, 0xFF, 0xFF, 0xFF};
	static const unsigned char change_apdu[] = {0x80, 0x5E, 0x01, 0x00, 0x07, 0x0F, 0x0F,
	                                            0x0F, 0xFF, 0xFF, 0xFF, 0xFF};
	PIN_VERIFY_STRUCTURE *v = (PIN_VERIFY_STRUCTURE *)vbuf;
	PIN_MODIFY_STRUCTURE *m = (PIN_MODIFY_STRUCTURE *)mbuf;
	memset(vbuf, 0xAA, sizeof vbuf);
	memset(mbuf, 0xAA, sizeof mbuf);

	v->bTimerOut = 30;
	v->bTimerOut2 = 30;
	v->bmFormatString = 0x81;    /* bytes, position 0, left-justified, BCD */
	v->bmPINBlockString = 0x03;  /* no length field, 3-byte block */
	v->bmPINLengthFormat = 0x00;
	v->wPINMaxExtraDigit = 0x0606; /* min 6, max 6 */
	v->bEntryValidationCondition = 0x02;
	v->bNumberMessage = 0x01;
	v->wLangId = 0x0804;
	v->bMsgIndex = 0x00;
	memset(v->bTeoPrologue, 0, sizeof v->bTeoPrologue);
	v->ulDataLength = sizeof verify_apdu;
	memcpy(v->abData, verify_apdu, sizeof verify_apdu);
	hex(vbuf, sizeof(PIN_VERIFY_STRUCTURE) + sizeof verify_apdu);

	m->bTimerOut = 30;
	m->bTimerOut2 = 30;
	m->bmFormatString = 0x81;
	m->bmPINBlockString = 0x03;
	m->bmPINLengthFormat = 0x00;
	m->bInsertionOffsetOld = 0;
	m->bInsertionOffsetNew = 4;  /* after old (3 bytes) and the FF separator */
	m->wPINMaxExtraDigit = 0x0606;
	m->bConfirmPIN = 0x01;
	m->bEntryValidationCondition = 0x02;
	m->bNumberMessage = 0x03;
	m->wLangId = 0x0804;
	m->bMsgIndex1 = 0;
	m->bMsgIndex2 = 1;
	m->bMsgIndex3 = 2;
	memset(m->bTeoPrologue, 0, sizeof m->bTeoPrologue);
	m->ulDataLength = sizeof change_apdu;
	memcpy(m->abData, change_apdu, sizeof change_apdu);
	hex(mbuf, sizeof(PIN_MODIFY_STRUCTURE) + sizeof change_apdu);
	return 0;
}
