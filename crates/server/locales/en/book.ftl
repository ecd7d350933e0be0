# The appointment book: its choice of doctors, the marks on its blocks, the panel a block opens.
book-doctors = Doctors: { $shown }/{ $total }
book-doctors-legend = Doctors shown in the book
book-doctors-hint = Only the chosen doctors' columns are shown. The choice is kept for your account; choosing all of them also shows doctors who join later.
book-doctors-save = Save
flash-book-doctors = The doctors shown in the book are saved.
book-mark-new = New patient
book-mark-unpaid = Balance due
book-mark-sms = Confirmed by SMS reply
book-now = Now
panel-close = Close
panel-phone = Phone
panel-open = Details
panel-open-move = Details, move
panel-record-treatment = Record treatment
panel-take-payment = Take payment
panel-failed = The appointment could not be opened. Try again.
