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
