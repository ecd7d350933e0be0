# Money: closing the day.

nav-day-close = Close the day
day-close-title = Closing the day
day-close-closed = Closed
day-close-open = Open
day-close-reopened = reopened at { $at }
day-close-expected = From payments
day-close-counted = Counted
day-close-difference = Difference
day-close-total = Total
day-close-submit = Close the day
day-close-reopen = Reopen
day-close-payments = The day's payments
day-close-no-payments = No payments that day.
flash-day-closed = The day is closed: it takes no more payments.
flash-day-reopened = The day is open again.
