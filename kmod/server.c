// SPDX-License-Identifier: GPL-2.0
/* Placeholder for the peer server (control-plane tests only). */
#include "server.h"
#include "state.h"

int p2p_server_start(struct p2p_net *pn)
{
	return 0;
}

void p2p_server_stop(struct p2p_net *pn)
{
}

int p2p_server_relisten(struct p2p_net *pn)
{
	return 0;
}

void p2p_server_export_gone(struct p2p_net *pn, u32 export_id)
{
}

bool p2p_server_active(struct p2p_net *pn)
{
	return false;
}
