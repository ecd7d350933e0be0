# The front desk: doctors' hours, chairs, free slots, recalls, arrivals, portal requests.

error-intervals-max = At most { $max } intervals in a week.
error-weekday = Choose a day from Monday to Sunday.
error-outside-opening-hours = { $hours } is outside the clinic's opening hours on that day.
error-hours-overlap = Overlaps { $hours } on the same day.
error-chair-unknown = Choose an active chair.
error-chair-name-taken = Another chair has this name.
error-extra-needs-hours = Extra hours need a start and an end.
error-no-primary-phone = The patient has no primary phone to send an SMS to.
error-preferred-count = Give 1 to { $max } preferred days.
error-date-past = Choose today or a later day.
error-outside-working-hours = The doctor does not work at that time. A manager or an admin may book it anyway.

field-recall-template = Recall text
recall-template-hint = Fill-ins: {"{"}patient{"}"}, {"{"}service{"}"}, {"{"}date{"}"}, {"{"}clinic{"}"}.
field-recall-months = Recall after (months)
service-recall-hint = Doing this service brings the patient back after this many months (a check-up: 6). Empty: no recall.
