(authorized
 (version "1")
 (host host-a)
 (vm
  (name vm-1)
  (hit "2001:21:f9a5:2bae:178f:d916:e881:61de")
  (login
   (user alice)
   (ssh-key "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDYGHsEBkQv2q2RcN5eaQP4+B0s0aWXYeOQxAy16N68eCySvtNAWTLKW4n+ePnRK4QF9qn3Z+XhweJRUOiZU/6qA7A/sXh4qqeW8TGj7b5RbMWDAh8kgA3+zycw0cBjKSFvFPJyOf/Q7avH/LMp6+skva3l+Hx6HIK77g7TGlMUeTK70OZGnYtNwq/EidmOknj5pVOpI7tEKKscwyFEZnE5XtD5IoA2+aasc5fWj0J+ZAmv/v99DV35X9j12rixxTJWK/Nbh7v/KyfN9hUTzBCf5TO31d7xe4ri1qN6PqdkOyq9qMAZN0Ep28EmAKVUM15whXquL1QfIT5Wq7YpCyxT")
   (expires "2026-12-03_08:00:00")
   (chain
    (sequence (cert (issuer registrar) (subject alice) (tag (vpxi bronze (resource vm-1) ssh)))))))
 (vm (name vm-5) (hit "2001:21:fb4a:50c6:8ebf:1409:45e6:40")))
