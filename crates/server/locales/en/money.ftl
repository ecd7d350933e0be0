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

nav-balances = Owed
balances-title = Patients who owe
balances-hint = The oldest unpaid treatment first. Send a reminder SMS or print the statement.
balances-none = Nobody owes anything.
balances-owed = Owed
balances-since = Since
balances-remind = Remind by SMS
balances-statement = Statement
flash-balance-reminded = The reminder SMS is queued.
statement-title = Statement of account
statement-paid = Paid
statement-balance = Balance

# Discounts.
field-discount = Discount
field-discount-reason = Reason for the discount
discount-hint = In tugrik (5000) or as a percent (10%).
reports-list = At list price
reports-discounts = Discounts
error-discount-typed = Type the discount in tugrik (5000) or as a percent (10%).
error-discount-negative = A discount cannot be negative.
error-discount-percent = A percent is 0 to 100.
error-discount-reason-required = Say why the discount is given.
error-discount-above-threshold = A discount this large is given by a manager or an admin.
