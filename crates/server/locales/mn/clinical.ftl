## Шүдний зураглал, үйлчлүүлэгчийн хуудасны эмчилгээ ба нэхэмжлэх, үйлчлүүлэгчийн портал
## (templates/chart.html, patient.html, home.html; src/http/pages/chart.rs, clinical.rs,
## patients.rs, home.rs). Энд байгаа дугаар бүр ../en/clinical.ftl-д бас байх ёстой.

## Шүдний зураглал
chart-hint = Шүдийг эмчилгээгээр нь өнгөөр ялгасан. Шүдэн дээр дарж юу хийснийг харна уу.
chart-history = Шүд тус бүрийн эмчилгээ
chart-empty = Эмчилгээ хараахан бүртгэгдээгүй байна.
chart-hidden-teeth = Энэ зураглалд харагдаагүй эмчилсэн шүд: { $teeth }.
chart-show-both = Байнгын ба сүүн шүдийг харуулах
chart-tooth = Шүд { $code }
chart-service = Үйлчилгээ
chart-tooth-note = Энэ шүдэнд
chart-open-treatment = Эмчилгээг нээх
error-chart-system = Шүдний тэмдэглэгээ танигдсангүй: FDI, Universal эсвэл Palmer-ийг сонгоно уу.
error-chart-dentition = Шүдний төрөл танигдсангүй: байнгын, сүүн эсвэл хоёуланг нь сонгоно уу.

## Үйлчлүүлэгчийн хуудасны эмчилгээ ба нэхэмжлэх
clinical-record-treatment = Эмчилгээ бүртгэх
clinical-no-treatments = Эмчилгээ хараахан бүртгэгдээгүй байна.
clinical-latest = Сүүлийн { $count }-г харуулав.
clinical-services = Үйлчилгээ
clinical-total = Нийт
clinical-paid = Төлсөн
clinical-balance = Үлдэгдэл
clinical-open-chart = Шүдний зураглалыг нээх
clinical-chart-hint = Шүд бүр эмчилгээгээрээ өнгөлөгдсөн, шүд тус бүрийн түүхтэй.
clinical-no-invoices = Нэхэмжлэх хараахан алга.
clinical-open-invoice = Нэхэмжлэх

## Үйлчлүүлэгчийн портал (үйлчлүүлэгчийн нүүр хуудас)
portal-appointments = Таны удахгүй болох цаг
portal-no-appointments = Танд захиалсан цаг алга.
portal-service = Үйлчилгээ
portal-treatments = Таны эмчилгээ
portal-no-treatments = Эмчилгээ хараахан бүртгэгдээгүй байна.
portal-teeth = Шүд
portal-charge = Төлбөр
portal-invoices = Таны нэхэмжлэх
portal-balance-due = Төлөх үлдэгдэл: { $amount }.
portal-settled = Төлөх үлдэгдэл алга. Баярлалаа!
portal-no-record = Таны бүртгэл үйлчлүүлэгчийн картад хараахан холбогдоогүй байна. Эмнэлгийн ресепшнээс холбуулна уу; дараа нь таны цаг, эмчилгээ, нэхэмжлэх энд харагдана.
