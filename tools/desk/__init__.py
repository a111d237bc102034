"""The service desk: buyer questions recognised by code, answered from the shop's records
(the thread's own order, its products, the policy, the owner's FAQ), the model asked only
where code has no answer, and every reply checked against the records before it is sent."""
