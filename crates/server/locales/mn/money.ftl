# Money: closing the day.

nav-day-close = Өдрийн хаалт
day-close-title = Өдрийн хаалт
day-close-closed = Хаагдсан
day-close-open = Нээлттэй
day-close-reopened = { $at }-д дахин нээсэн
day-close-expected = Төлбөрөөр
day-close-counted = Тоолсон
day-close-difference = Зөрүү
day-close-total = Нийт
day-close-submit = Өдрийг хаах
day-close-reopen = Дахин нээх
day-close-payments = Өдрийн төлбөрүүд
day-close-no-payments = Энэ өдөр төлбөр ороогүй.
flash-day-closed = Өдрийг хаалаа. Энэ өдөрт төлбөр авахгүй.
flash-day-reopened = Өдрийг дахин нээлээ.

nav-balances = Авлага
balances-title = Төлбөрийн үлдэгдэлтэй үйлчлүүлэгчид
balances-hint = Хамгийн эртний төлөгдөөгүй эмчилгээтэй нь эхэндээ. Сануулга SMS илгээх эсвэл тооцоог хэвлэж өгнө үү.
balances-none = Төлбөрийн үлдэгдэлтэй үйлчлүүлэгч алга.
balances-owed = Үлдэгдэл
balances-since = Хэзээнээс
balances-remind = SMS сануулах
balances-statement = Тооцоо
flash-balance-reminded = Төлбөрийн сануулга SMS илгээх дараалалд орлоо.
statement-title = Тооцооны хуудас
statement-paid = Төлсөн
statement-balance = Үлдэгдэл

# Discounts.
field-discount = Хөнгөлөлт
field-discount-reason = Хөнгөлөлтийн шалтгаан
discount-hint = Төгрөгөөр (5000) эсвэл хувиар (10%).
reports-list = Үндсэн үнээр
reports-discounts = Хөнгөлөлт
error-discount-typed = Хөнгөлөлтийг төгрөгөөр (5000) эсвэл хувиар (10%) бичнэ үү.
error-discount-negative = Хөнгөлөлт сөрөг байж болохгүй.
error-discount-percent = Хувь 0-100 хооронд байна.
error-discount-reason-required = Хөнгөлөлтийн шалтгааныг бичнэ үү.
error-discount-above-threshold = Энэ хэмжээний хөнгөлөлтийг зөвхөн менежер эсвэл админ өгнө.
