# SMS settings and messages (reminders, inbound confirmations).
error-reminder-hour = An hour from 0 to 23.
error-sms-template-placeholder = Unknown placeholder { $name }: use only patient, date, time, doctor and clinic, each in curly braces.
error-sms-template-brace = An opening curly brace without its closing one.
