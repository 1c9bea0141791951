/*
 * SSCardDriver.h — sscard's drop-in national read-card library (libSSCardDriver.so /
 * SSCardDriver.dll), the national interface of sscard-spec.md §6 as real callers declare it.
 *
 * Every function returns 0 on success or a negative code of the national table (card status
 * words as -(SW1*256+SW2)); on failure a readable message "错误码 <code>: <text>" is written into
 * the output buffer. Strings are GBK (configuration `encoding = "utf-8"` switches to UTF-8).
 * Callers fall back to the *_HSM_* functions on -2201, -2202, -2203, -27272 and -24.
 *
 * Output buffers: the library never writes more than the size below, terminating NUL included.
 *   iReadCardBas, iReadCardBas_HSM_Step2, ReadCardBas ........ SSCARD_BAS_OUT_MAX (256)
 *   *_HSM_Step1, iReloadPIN_HSM_Step2, iUnblockPIN_HSM_Step2 .. SSCARD_HSM_OUT_MAX (256)
 *   iReadCard, iWriteCard, iReadCard_HSM_Step2, iWriteCard_HSM_Step2 .. SSCARD_FILE_OUT_MAX (2048)
 *   PIN functions, *_HSM_Step3, Init, VerifyPIN, ChangePIN .... SSCARD_PIN_OUT_MAX (256)
 *   iDoDebit, iDoDebit_HSM_Step2 ............................. SSCARD_DEBIT_OUT_MAX (256)
 *   iReadDebitRecord ......................................... SSCARD_RECORD_OUT_MAX (4096)
 * A NULL output pointer returns -14 and writes nothing; a NULL input returns -14.
 *
 * Calling convention: __stdcall on 32-bit Windows (names undecorated, SSCardDriver.def),
 * the platform C convention elsewhere.
 */
#ifndef SSCARDDRIVER_H
#define SSCARDDRIVER_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define SSCARD_API __stdcall
#else
#define SSCARD_API
#endif

#define SSCARD_BAS_OUT_MAX 256
#define SSCARD_HSM_OUT_MAX 256
#define SSCARD_FILE_OUT_MAX 2048
#define SSCARD_PIN_OUT_MAX 256
#define SSCARD_DEBIT_OUT_MAX 256
#define SSCARD_RECORD_OUT_MAX 4096

/* iType: 1 contact, 2 contactless, 3 auto (contact first), 4 auto (contactless first). */

/* 区划代码|社会保障号码|卡号|卡识别码|姓名|卡复位信息|规范版本|发卡日期|卡有效期|终端机编号|终端设备号| */
long SSCARD_API iReadCardBas(int iType, char *pOutInfo);
/* iAuthType 0 none, 1 PIN (PIN pad / PIN-entry program), 2 RK key (PSAM).
 * pCardInfo "卡识别码|卡号|" (or "" for no check); pFileAddr "SSSEEF05|01|07|$SSSEEF06|08|09|$". */
long SSCARD_API iReadCard(int iType, int iAuthType, char *pCardInfo, char *pFileAddr, char *pOutInfo);
/* pWriteData mirrors pFileAddr with values: "DF04EF05|31010000|$" (or "31010000|$"). */
long SSCARD_API iWriteCard(int iType, char *pCardInfo, char *pFileAddr, char *pWriteData, char *pOutInfo);
long SSCARD_API iVerifyPIN(int iType, char *pOutInfo);
long SSCARD_API iChangePIN(int iType, char *pOutInfo);
long SSCARD_API iReloadPIN(int iType, char *pCardInfo, char *pOutInfo);
long SSCARD_API iUnblockPIN(int iType, char *pCardInfo, char *pOutInfo);

/* Medical settlement (DF04) through the PSAM; the holder's PIN from the PIN pad / program.
 * pCardInfo "卡识别码|卡号|"; pPayInfo "总金额|账户+统筹金额|YYYYMMDDhhmmss|" in yuan.
 * pOutInfo: 交易计数器|终端机编号|终端交易序号|交易时间|TAC|MAC2|
 * A card lost mid-debit returns -4; the next iDoDebit for that card asks the card first and
 * never charges twice (the same pPayInfo answers the charged transaction's pOutInfo). */
long SSCARD_API iDoDebit(int iType, char *pCardInfo, char *pPayInfo, char *pOutInfo);
/* DF04 EF08 (after the PIN), newest first, per record: 交易序号|交易类型|终端机编号|交易时间|个人账户金额|自付金额|统筹金额| */
long SSCARD_API iReadDebitRecord(int iType, char *pOutInfo);
/* HSM mode: Step1 (PIN, INITIALIZE FOR PURCHASE) gives the MAC1 request
 * 算法标识|密钥地址|伪随机数|交易计数器|总金额|账户+统筹金额|交易类型终端机编号|交易时间|
 * for the HSM; Step2's pKey is its answer 终端交易序号(8 hex)|交易时间|MAC1(8 hex)|. */
long SSCARD_API iDoDebit_HSM_Step1(int iType, char *pCardInfo, char *pPayInfo, char *pOutInfo);
long SSCARD_API iDoDebit_HSM_Step2(char *pKey, char *pOutInfo);

/* HSM mode (no PSAM): Step1 output goes to the HSM, its answer is the next step's pKey. */
long SSCARD_API iReadCardBas_HSM_Step1(int iType, char *pOutInfo);
long SSCARD_API iReadCardBas_HSM_Step2(char *pKey, char *pOutInfo);
long SSCARD_API iReadCard_HSM_Step1(int iType, char *pCardInfo, char *pFileAddr, char *pOutInfo);
long SSCARD_API iReadCard_HSM_Step2(char *pKey, char *pOutInfo);
long SSCARD_API iWriteCard_HSM_Step1(int iType, char *pCardInfo, char *pFileAddr, char *pWriteData, char *pOutInfo);
long SSCARD_API iWriteCard_HSM_Step2(char *pKey, char *pOutInfo);
long SSCARD_API iReloadPIN_HSM_Step1(int iType, char *pCardInfo, char *pOutInfo);
long SSCARD_API iReloadPIN_HSM_Step2(char *pKey, char *pOutInfo);
long SSCARD_API iReloadPIN_HSM_Step3(char *pKey, char *pOutInfo);
long SSCARD_API iUnblockPIN_HSM_Step1(int iType, char *pCardInfo, char *pOutInfo);
long SSCARD_API iUnblockPIN_HSM_Step2(char *pKey, char *pOutInfo);
long SSCARD_API iUnblockPIN_HSM_Step3(char *pKey, char *pOutInfo);

/* Medical-insurance reader façade (HeaSecReadInfo style): pCardInfo = the iReadCardBas string;
 * pBusiCardInfo is set to "" (the token is issued by the national platform). */
long SSCARD_API Init(char *pInitInfo, char *pErrMsg);
long SSCARD_API ReadCardBas(char *pCardInfo, char *pBusiCardInfo);
long SSCARD_API VerifyPIN(char *pOutBuff);
long SSCARD_API ChangePIN(char *pOutBuff);

#ifdef __cplusplus
}
#endif
#endif /* SSCARDDRIVER_H */
