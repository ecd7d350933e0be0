# DCMS вэб хуудас, монгол хэл (үндсэн). Энд байгаа бүх id ../en/main.ftl-д бас байх ёстой.

## Layout
skip-to-content = Агуулга руу шилжих
nav-label = Үндсэн цэс
nav-home = Нүүр
nav-users = Хэрэглэгчид
nav-settings = Тохиргоо
nav-account = Миний бүртгэл
signed-in-as = Нэвтэрсэн: { $name }
logout = Гарах
language-label = Хэл
language-mn = Монгол
language-en = English
back-home = Нүүр хуудас руу буцах
actions = Үйлдэл
save = Хадгалах
next-page = Дараагийн хуудас

## Login
login-title = Нэвтрэх
login-submit = Нэвтрэх
login-failed = Нэвтрэх нэр эсвэл нууц үг буруу, эсвэл бүртгэл идэвхгүй байна.
login-too-many = Хэт олон удаа буруу оролдлоо. { $minutes } минутын дараа дахин оролдоно уу.
field-username = Нэвтрэх нэр
field-password = Нууц үг

## Start page
home-welcome = Сайн байна уу, { $name }
home-today = Өнөөдөр { $date }
home-role = Таны үүрэг: { $role }
home-patient-intro = Энд таны цаг захиалга, эмчилгээ, нэхэмжлэх харагдана.

## Sessions and password
account-title = Миний бүртгэл
sessions-title = Нэвтрэлтүүд
sessions-hint = Таны нэвтэрсэн газар бүр. Танихгүй нэвтрэлтээ дуусгана уу.
sessions-caption = Идэвхтэй нэвтрэлтүүд
session-device = Төхөөрөмж
session-type = Төрөл
session-created = Эхэлсэн
session-last-seen = Сүүлд ашигласан
session-expires = Дуусах
session-this = энэ нэвтрэлт
session-end = Дуусгах
session-end-this = Эндээс гарах
session-type-user_portal = Ажилтны портал
session-type-patient_web = Үйлчлүүлэгчийн портал
session-type-hq = Төв оффис (зөвхөн харах)
password-title = Нууц үг солих
password-hint = Дор хаяж 10 тэмдэгт. Солих үед таны бусад нэвтрэлт дуусна.
field-current-password = Одоогийн нууц үг
field-new-password = Шинэ нууц үг
field-confirm-password = Шинэ нууц үг (давтах)
password-submit = Нууц үг солих

## Users
users-title = Хэрэглэгчид
users-new = Шинэ хэрэглэгч
users-create = Хэрэглэгч үүсгэх
field-display-name = Харагдах нэр
field-role = Үүрэг
user-status = Төлөв
user-created = Үүсгэсэн
user-active = Идэвхтэй
user-disabled = Идэвхгүй
user-disable-label = Идэвхгүй болгох (нэвтэрч чадахгүй; нэвтрэлтүүд нь дуусна)
user-password-title = Шинэ нууц үг тохируулах
user-password-hint = Хэрэглэгчийн нэвтрэлтүүд дуусна; шинэ нууц үгийг биечлэн хэлнэ үү.
user-password-submit = Нууц үг тохируулах
role-patient = Үйлчлүүлэгч
role-admin = Админ
role-manager = Менежер
role-doctor = Эмч
role-receptionist = Ресепшн

## Settings
settings-title = Эмнэлгийн тохиргоо
settings-readonly = Эдгээрийг зөвхөн админ эсвэл менежер өөрчилнө.
field-clinic-name = Эмнэлгийн нэр
field-clinic-code = Эмнэлгийн код
field-time-zone = Цагийн бүс
field-tooth-notation = Шүдний тэмдэглэгээ
field-language = Үндсэн хэл
opening-hours-title = Ажиллах цаг
opening-hours-hint = Орон нутгийн цагаар, жишээ нь 09:00-13:00, 14:00-19:00. Амралтын өдрийг хоосон үлдээнэ үү.
weekday-mon = Даваа
weekday-tue = Мягмар
weekday-wed = Лхагва
weekday-thu = Пүрэв
weekday-fri = Баасан
weekday-sat = Бямба
weekday-sun = Ням
notation-fdi = FDI (11–48)
notation-universal = Universal (1–32)
notation-palmer = Palmer
closed = Амарна

## One-time messages
flash-session-expired = Таны нэвтрэлт дууссан байна. Дахин нэвтэрнэ үү.
flash-form-expired = Маягтын хугацаа дууссан байна. Дахин оролдоно уу.
flash-logged-out = Та системээс гарлаа.
flash-password-changed = Нууц үг солигдлоо. Таны бусад нэвтрэлт дууслаа.
flash-session-revoked = Нэвтрэлт дууслаа.
flash-user-created = Хэрэглэгч үүслээ.
flash-saved = Хадгаллаа.
flash-password-set = Шинэ нууц үг тохирч, хэрэглэгчийн нэвтрэлтүүд дууслаа.

## Errors
error-forbidden = Танд энэ хуудсыг үзэх эрх байхгүй.
error-not-found = Ийм хуудас эсвэл бичлэг байхгүй.
error-conflict = Одоогийн төлөвт үүнийг хийх боломжгүй.
error-invalid = Зарим утга буруу байна.
error-too-many = Хэт олон оролдлого. Түр хүлээгээд дахин оролдоно уу.
error-busy = Сервер завгүй байна. Хэсэг хугацааны дараа дахин оролдоно уу.
error-internal = Серверт алдаа гарлаа. Бүртгэгдсэн; дахин оролдоно уу.
error-csrf = Маягтын хугацаа дууссан эсвэл өөр сайтаас ирсэн байна. Буцаж, хуудсаа дахин ачаалаад оролдоно уу.
error-method = Энэ хаяг ийм хүсэлт хүлээж авахгүй.
error-too-large = Илгээсэн өгөгдөл хэт том байна.
error-timeout = Хүсэлт хэт удлаа. Дахин оролдоно уу.
error-last-admin = Энэ бол сүүлийн идэвхтэй админ: эхлээд өөр хэрэглэгчийг админ болгоно уу.
error-too-short = Дор хаяж { $min } тэмдэгт байх ёстой.
error-too-long = Хамгийн ихдээ { $max } тэмдэгт байх ёстой.
error-length = { $min }-{ $max } тэмдэгт байх ёстой.
error-control-characters = Удирдах тэмдэгт агуулж болохгүй.
error-wrong-current-password = Энэ таны одоогийн нууц үг биш байна.
error-password-mismatch = Хоёр шинэ нууц үг зөрж байна.
error-choose = Сонголтуудаас нэгийг сонгоно уу.
error-username-taken = Энэ нэвтрэх нэр аль хэдийн бүртгэлтэй байна.
error-required = Заавал бөглөнө.
error-time-zone = Танигдахгүй цагийн бүс (жишээ нь Asia/Ulaanbaatar).
error-clinic-code = Зөвхөн үсэг, тоо, - болон _, хамгийн ихдээ 32.
error-opening-hours = 09:00-13:00, 14:00-19:00 гэх мэтээр бичнэ үү; интервал бүр эхэлснээсээ хойш дуусч, хоорондоо давхцахгүй байх ёстой.

## Patients
gender-male = Эрэгтэй
gender-female = Эмэгтэй
gender-other = Бусад
rn-decoded = Төрсөн: { $birthday }, { $sex }
rn-length = Регистрийн дугаар 10 тэмдэгттэй (хоёр үсэг, найман цифр, жишээ нь УБ85031512); энд { $chars } байна.
rn-shape = Регистрийн дугаар нь монгол кирилл хоёр үсэг, найман цифрээс бүрдэнэ, жишээ нь УБ85031512.
rn-letter = “{ $letter }” нь монгол кирилл үсэг биш; регистрийн дугаар хоёр кирилл үсгээр эхэлнэ, жишээ нь УБ.
rn-month = Төрсөн сарын цифр “{ $month }” буруу: 2000 оноос өмнө төрсөн бол 01–12, 2000 оноос хойш 21–32.
rn-no-such-date = { $date } гэсэн төрсөн огноо байхгүй.
rn-future = Төрсөн огноо { $date } ирээдүйд байна.
