## Үйлчлүүлэгчийн хуудасны толгой хэсэг ба түргэн үйлдэл, эмчилгээний маягтын хамрах хүрээ,
## цаг захиалгын хуудасны эмчилгээ (templates/patient.html, patient_edit.html,
## treatment_new.html, _treatment_item_fields.html, appointment.html). Энд байгаа дугаар бүр
## ../en/patient_page.ftl-д бас байх ёстой.

## Үйлчлүүлэгчийн хуудас
patient-alerts = Анхааруулга
patient-owes = Төлөх үлдэгдэл
patient-next-appointment = Дараагийн цаг
patient-no-next-appointment = Цаг товлоогүй
patient-actions = Үйлчлүүлэгчтэй холбоотой үйлдэл
patient-send-sms = SMS илгээх
patient-unpaid-all = Төлөгдөөгүй бүгд ({ $count })
patient-sections = Хуудасны хэсгүүд
patient-details = Дэлгэрэнгүй мэдээлэл
clinical-take-payment = Төлбөр авах

## Эмчилгээний маягт
scope-auto = Шүд, үйлчилгээнээс хамаарна
treatment-on-appointment = Холбогдох цаг

## Цаг захиалгын хуудас
appointment-treatments = Энэ цагийн эмчилгээ
appointment-no-treatments = Энэ цаг дээр эмчилгээ бүртгэгдээгүй байна.
