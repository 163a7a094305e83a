(authorized
 (version "1")
 (host host-c)
 (vm (name vm-4) (hit "2001:21:c9:386c:c771:a036:84b4:6f02")))
