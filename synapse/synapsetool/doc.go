// Package synapsetool is the engine of `taonet synapse serve` and `taonet
// synapse query`: a bare axon that answers one named synapse with a fixed or
// echo reply, and one signed request to one axon whose status, response
// headers, streamed chunks (as they arrive) and final body are printed.
//
// The synapse types themselves belong to the subnets; the command wires them
// in as Kinds (StreamKind), so this package stays below the subnets.
package synapsetool
