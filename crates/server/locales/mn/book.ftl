# The appointment book: its choice of doctors, the marks on its blocks, the panel a block opens.
book-doctors = Эмч: { $shown }/{ $total }
book-doctors-legend = Захиалгад харуулах эмч
book-doctors-hint = Сонгосон эмч нарын багана л харагдана. Энэ сонголт таны нэвтрэх нэрд хадгалагдана; бүгдийг сонговол шинээр ирсэн эмч ч харагдана.
book-doctors-save = Хадгалах
flash-book-doctors = Захиалгад харуулах эмч нар хадгалагдлаа.
book-mark-new = Шинэ үйлчлүүлэгч
book-mark-unpaid = Төлбөр дутуу
book-mark-sms = Мессежээр баталгаажсан
book-now = Одоо
panel-close = Хаах
panel-phone = Утас
panel-open = Дэлгэрэнгүй
panel-open-move = Дэлгэрэнгүй, шилжүүлэх
panel-record-treatment = Эмчилгээ бүртгэх
panel-take-payment = Төлбөр авах
panel-failed = Захиалгыг нээж чадсангүй. Дахин оролдоно уу.
