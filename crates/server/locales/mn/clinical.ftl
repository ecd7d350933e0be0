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

# Шүдний диаграмм: гадаргуу, илрүүлэлт, эмчилгээний төлөвлөгөө (issue 20)
chart-planned = Төлөвлөсөн
chart-finding = Илрүүлэлт
chart-legend-pathology = Эмчлэх (цоорол, хугарал…)
chart-legend-work = Өөр газар хийсэн (ломбо, титэм…)
chart-legend-planned = Төлөвлөсөн
chart-legend-done = Энд хийсэн
chart-legend-missing = Байхгүй
chart-form-title = Тэмдэглэх
chart-form-hint = Илрүүлэлт эсвэл үйлчилгээ сонгоод, шүд болон гадаргууг дарж, хадгална уу.
chart-what = Юу
chart-what-finding = Илрүүлэлт
chart-what-plan = Үйлчилгээ төлөвлөх
chart-chosen = Сонгосон
chart-teeth = Шүд (код, жишээ нь 36, 37)
chart-surfaces = Гадаргуу
chart-save = Хадгалах
chart-open-findings = Нээлттэй илрүүлэлт
chart-no-findings = Нээлттэй илрүүлэлт алга.
chart-tooth-col = Шүд
chart-plan-service = Энэ илрүүлэлтийн үйлчилгээ
chart-plan-it = Төлөвлөх
chart-close-finding = Хаах
chart-plans = Эмчилгээний төлөвлөгөө
chart-no-plans = Эмчилгээний төлөвлөгөө алга.
plan-untitled = Эмчилгээний төлөвлөгөө
plan-progress = { $count }-аас { $done } хийгдсэн
plan-remaining = Үлдсэн { $amount }
plan-total = Нийт
plan-status-draft = Ноорог
plan-status-presented = Танилцуулсан
plan-status-accepted = Зөвшөөрсөн
plan-status-rejected = Татгалзсан
plan-status-completed = Дууссан
plan-status-canceled = Цуцалсан
surface-mesial = Мезиал
surface-occlusal = Зажлах
surface-incisal = Ирмэг
surface-distal = Дистал
surface-buccal = Хацрын
surface-labial = Уруулын
surface-lingual = Хэлний
finding-caries = Цоорол
finding-fracture = Хугарал
finding-periapical-lesion = Үзүүрийн үрэвсэл
finding-mobility = Хөдөлгөөн
finding-impacted = Шигдсэн
finding-missing = Байхгүй
finding-filling = Ломбо
finding-crown = Титэм
finding-root-canal = Сувгийн эмчилгээ
finding-implant = Имплант
finding-bridge = Гүүр
finding-veneer = Винир
finding-sealant = Битүүмжлэл
error-chart-refused = Диаграммыг өөрчилсөнгүй.
error-chart-no-teeth = Дор хаяж нэг шүд сонгоно уу: диаграмм дээр дарах эсвэл кодыг бичнэ үү.
error-surface-unknown = Ийм гадаргуу байхгүй.
error-surface-not-on-tooth = Энэ шүдэнд ийм гадаргуу байхгүй.
error-surface-repeated = Гадаргуу давхардсан байна.
error-surface-not-for-kind = Энэ илрүүлэлтийг гадаргуугаар тэмдэглэдэггүй.
error-surfaces-single-tooth = Гадаргууг зөвхөн нэг шүдэнд өгнө.
error-finding-unknown = Үйлчлүүлэгчид ийм илрүүлэлт байхгүй.
error-finding-resolved = Илрүүлэлт аль хэдийн шийдэгдсэн.
error-finding-other-tooth = Илрүүлэлт өөр шүдэнд байна.
error-finding-resolved-by-item = Энэ илрүүлэлтийг эмчилгээгээр шийдсэн.
error-plan-item-unknown = Үйлчлүүлэгчид ийм төлөвлөгөөний мөр байхгүй.
error-plan-not-accepted = Эмчилгээг зөвшөөрсөн төлөвлөгөөнөөс бүртгэнэ: эхлээд төлөвлөгөөг зөвшөөрүүлнэ үү.
error-plan-item-not-planned = Энэ мөр аль хэдийн хийгдсэн эсвэл хасагдсан.
error-plan-move = Төлөвлөгөө энэ төлөвт шилжихгүй.
error-plan-empty = Хоосон төлөвлөгөөг танилцуулахгүй.
error-plan-items-open = Бүх мөр хийгдсэн эсвэл хасагдсан үед төлөвлөгөө дуусна.
error-plan-item-move = Энэ мөр энэ төлөвт шилжихгүй.
error-discount-range = Хөнгөлөлт төлөвлөгөөний дүнгээс их байж болохгүй.
