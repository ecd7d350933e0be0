# SMS-ийн тохиргоо ба мессежүүд (сануулга, ирсэн хариугаар баталгаажуулах).
error-reminder-hour = 0-ээс 23 хүртэлх цаг.
error-sms-template-placeholder = Тодорхойгүй орлуулагч { $name }: зөвхөн patient, date, time, doctor, clinic-ийг буржгар хаалтанд бичнэ үү.
error-sms-template-brace = Нээсэн буржгар хаалт хаагдаагүй байна.
