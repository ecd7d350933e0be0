# DCMS HQ: connecting a clinic.

error-clinic-unreachable = Эмнэлгийн DCMS-д холбогдож чадсангүй: хаягийг шалгана уу.
error-clinic-login-refused = Эмнэлэг энэ нэвтрэх нэр, нууц үгийг хүлээж авсангүй.
error-clinic-login-not-hq = Энэ хэрэглэгч төв оффисын холболт нээх эрхгүй: менежер эсвэл админы нэвтрэлтийг ашиглана уу.
