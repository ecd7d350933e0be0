# Ресепшн: эмчийн цаг, сандал, сул цаг, давтан үзлэг, ирсэн үйлчлүүлэгч, порталын хүсэлт.

error-intervals-max = Долоо хоногт хамгийн ихдээ { $max } завсар.
error-weekday = Даваагаас ням гараг хүртэлх өдрийг сонгоно уу.
error-outside-opening-hours = { $hours } нь тухайн өдрийн эмнэлгийн ажиллах цагаас гадуур байна.
error-hours-overlap = Тухайн өдрийн { $hours } цагтай давхцаж байна.
error-chair-unknown = Идэвхтэй сандал сонгоно уу.
error-chair-name-taken = Ийм нэртэй сандал аль хэдийн байна.
error-extra-needs-hours = Нэмэлт цагт эхлэх, дуусах цаг хэрэгтэй.
error-no-primary-phone = Үйлчлүүлэгчид SMS илгээх үндсэн утас алга.
error-preferred-count = 1-ээс { $max } хүртэл тохирох өдөр сонгоно уу.
error-date-past = Өнөөдөр эсвэл түүнээс хойшхи өдөр сонгоно уу.
error-outside-working-hours = Эмч энэ цагт ажиллахгүй. Менежер эсвэл админ захиалж болно.

field-recall-template = Давтан үзлэгийн SMS
recall-template-hint = Орлуулах үгс: {"{"}patient{"}"}, {"{"}service{"}"}, {"{"}date{"}"}, {"{"}clinic{"}"}.
field-recall-months = Давтан үзлэг (сар)
service-recall-hint = Энэ үйлчилгээг хийсний дараа үйлчлүүлэгчийг хэдэн сарын дараа дахин дуудах вэ (урьдчилан сэргийлэх үзлэг: 6). Хоосон бол дуудахгүй.
