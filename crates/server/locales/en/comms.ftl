## Calls and SMS (src/services/comms.rs). Every id here must also be in ../mn/comms.ftl.

error-end-call-before-begin = The call cannot end before it began.
error-sms-out-note = A message to send is only queued: add the note once it has been sent.
error-phone-lookup = Type a whole phone number or its first 4 to 7 digits.
