## Эрүүл мэндийн түүх, анхааруулга, асуумж, зураг ба баримт, зөвшөөрөл
## (templates/medical.html, questionnaire.html, files.html, consent.html; src/http/pages/medical.rs,
## files.rs, consent.rs). Энд байгаа дугаар бүр ../en/medical.ftl-д бас байх ёстой.

## Анхааруулга
alert-allergy = Харшил
alert-acknowledge = Үйлчлүүлэгчийн хүнд харшлыг харсан, эмчилгээнд тооцсон гэдгээ баталж байна
condition-diabetes = Чихрийн шижин
condition-hypertension = Цусны даралт ихсэх
condition-heart-disease = Зүрхний өвчин
condition-bleeding-disorder = Цус бүлэгнэлтийн эмгэг
condition-anticoagulants = Цус шингэлэх эм уудаг
condition-pregnancy = Жирэмсэн
condition-asthma = Астма
condition-epilepsy = Эпилепси (таталт)
condition-hepatitis = Элэгний үрэвсэл (гепатит)
condition-hiv = ХДХВ
condition-kidney-disease = Бөөрний өвчин
condition-other = Бусад
severity-mild = Хөнгөн
severity-moderate = Дунд
severity-severe = Хүнд

## Эрүүл мэндийн түүх
medical-title = Эрүүл мэндийн түүх
medical-empty = Эрүүл мэндийн түүх хараахан бүртгэгдээгүй байна.
medical-allergies = Харшил
medical-conditions = Өвчин, эмгэг
medical-medications = Уудаг эм
medical-none = Байхгүй
medical-reviewed = Үйлчлүүлэгчтэй сүүлд тулгасан
medical-version = Хувилбар
medical-review = Асуумжийг хянаж хадгалах
medical-change = Түүхийг засах
medical-questionnaire-sent = Үйлчлүүлэгч асуумж бөглөсөн:
medical-substance = Юунд
medical-reaction = Ямар урвал
medical-severity = Хүнд байдал
medical-detail = Дэлгэрэнгүй
medical-reviewed-now = Үйлчлүүлэгчтэй одоо тулгаж шалгасан
medical-versions = Өмнөх хувилбарууд
medical-conflict = Энэ хооронд өөр хүн түүхийг өөрчилсөн байна. Шинэ хувилбарыг харж дахин засна уу.

## Таблетын асуумж
questionnaire-open = Асуумжийг таблетаар бөглүүлэх
questionnaire-title = Эрүүл мэндийн асуумж
questionnaire-intro = Эмчилгээг аюулгүй хийхэд эдгээр асуулт хэрэгтэй. Асуулт бүрт «Тийм» эсвэл «Үгүй» гэж хариулна уу.
questionnaire-conditions = Танд дараах өвчин, байдал байгаа юу?
questionnaire-other = Өөр өвчин, эмгэг
questionnaire-allergies = Эм, бодист харшилтай юу?
questionnaire-medications = Одоо ямар эм уудаг вэ?
questionnaire-signature = Гарын үсэг
questionnaire-clear = Гарын үсгийг арилгах
questionnaire-send = Илгээх
questionnaire-thanks = Баярлалаа! Хариултыг хүлээн авлаа. Таблетыг ажилтанд буцааж өгнө үү.
questionnaire-back = Үйлчлүүлэгчийн хуудас руу буцах
yes = Тийм
no = Үгүй
close = Хаах

## Зураг ба баримт
files-title = Зураг, баримт
files-kind = Төрөл
files-all = Бүгд
files-from = Эхлэх огноо
files-to = Дуусах огноо
files-show = Харуулах
files-upload = Файл оруулах
files-drop = Файлаа энд чирч оруулна уу
files-limit = JPEG, PNG, WebP, PDF, DICOM; { $mib } МБ хүртэл.
files-choose = Файл сонгох
files-taken = Авсан огноо
files-pictures = Рентген ба зураг
files-no-pictures = Зураг алга.
files-documents = Баримт бичиг
files-no-documents = Баримт бичиг алга.
files-name = Нэр
files-size = Хэмжээ
files-delete = Устгах
files-delete-confirm = Энэ файлыг үйлчлүүлэгчийн бүртгэлээс нуух уу?
files-viewer = Зураг харах
files-zoom-in = Томруулах
files-zoom-out = Жижигрүүлэх
files-reset = Анхны байдал
files-brightness = Гэрэл
files-contrast = Тодрол
files-invert = Урвуулах
files-hidden = Нуусан файлууд
files-no-hidden = Нуусан файл алга.
files-show-hidden = Нуусан файлуудыг харах (админ)
files-purge-hint = Устгасан файл нуугдсан ч агуулга нь хадгалагдсаар байна. Бүрмөсөн устгавал сэргээх боломжгүй.
files-purge = Бүрмөсөн устгах
files-purge-confirm = Энэ файлын агуулгыг бүрмөсөн устгах уу? Буцаах боломжгүй.
attachment-kind-xray = Рентген
attachment-kind-photo = Зураг
attachment-kind-document = Баримт
attachment-kind-consent = Зөвшөөрөл
chart-images-hint = Зурагтай шүд дээр дарахад зураг нь энд гарна.
files-tooth = Шүд
chart-images = Шүдний зураг

## Зөвшөөрөл
consent-title = Эмчилгээний зөвшөөрөл
consent-back = Эмчилгээ рүү буцах
consent-upload = Гарын үсэгтэй зөвшөөрлийг оруулах
consent-print = Зөвшөөрөл хэвлэх
consent-signed = Гарын үсэгтэй зөвшөөрөл
field-consent-text = Зөвшөөрлийн текст
service-consent-hint = Эмчилгээний хуудаснаас хэвлэж үйлчлүүлэгчээр гарын үсэг зуруулна. Хоосон бол зөвшөөрөл шаардахгүй.
field-attachment-limit = Файлын дээд хэмжээ (МБ)

## Алдаа
error-file-too-large = Файл хэт том байна. Тохиргоонд заасан дээд хэмжээнээс бага файл оруулна уу.
error-file-type = Энэ төрлийн файлыг хадгалахгүй. JPEG, PNG, WebP зураг, PDF эсвэл DICOM файл оруулна уу.
error-attachment-clinical = Ресепшн зөвхөн баримт ба зөвшөөрөл харж, оруулна. Рентген, зургийг эмч хардаг.
error-alert-not-acknowledged = Эхлээд үйлчлүүлэгчийн хүнд харшлыг харсан гэдгээ баталгаажуулна уу.
error-repeated = Давхардсан байна.
error-in-future = Ирээдүйн огноо байж болохгүй.
error-utf8 = Текст буруу кодчилолтой байна.
error-signature-invalid = Гарын үсгийг хайрцагт зурна уу.
error-treatment-unknown = Энэ үйлчлүүлэгчид ийм эмчилгээ алга.
