"""The routing decision, rule by rule, without a database."""
from datetime import datetime, timedelta

from support.routing import engine
from support.routing.engine import AgentFacts, TicketFacts

T0 = datetime(2026, 1, 1, 12, 0)


def agent(id, languages=('en',), clients=None, products=(), available=True, chat=(0, 3), email=(0, 6), idle=None):
    """``clients``: the client ids served; None (the default) serves every client."""
    return AgentFacts(id=id, available=available, languages=frozenset(languages),
                      client_ids=None if clients is None else frozenset(clients),
                      products=frozenset(products), capacities={'chat': chat[1], 'email': email[1]},
                      loads={'chat': chat[0], 'email': email[0]}, idle_since=idle)


def ticket(id=1, client=1, language='en', channel='chat', product=None, **kwargs):
    return TicketFacts(id=id, client_id=client, language=language, channel=channel, product=product, **kwargs)


def test_only_available_agents():
    assert engine.choose(ticket(), [agent(1, available=False)]) is None
    assert engine.choose(ticket(), [agent(1, available=False), agent(2)]).id == 2


def test_language_must_match():
    assert engine.choose(ticket(language='es'), [agent(1, ('en',))]) is None
    assert engine.choose(ticket(language='es'), [agent(1, ('en',)), agent(2, ('en', 'es'))]).id == 2


def test_client_must_be_served_and_empty_means_all():
    assert engine.choose(ticket(client=7), [agent(1, clients=(3,))]) is None
    assert engine.choose(ticket(client=7), [agent(1, clients=(3,)), agent(2, clients=(7,))]).id == 2
    assert engine.choose(ticket(client=7), [agent(1)]).id == 1


def test_product_must_be_served():
    assert engine.choose(ticket(product='tv'), [agent(1, products=('modem',))]) is None
    assert engine.choose(ticket(product='tv'), [agent(1, products=('modem',)), agent(2, products=('tv',))]).id == 2
    assert engine.choose(ticket(product=None), [agent(1, products=('modem',))]).id == 1
    assert engine.choose(ticket(product='tv'), [agent(1)]).id == 1


def test_spare_capacity_on_the_ticket_channel():
    full_chat = agent(1, chat=(3, 3), email=(0, 6))
    assert engine.choose(ticket(channel='chat'), [full_chat]) is None
    assert engine.choose(ticket(channel='email'), [full_chat]).id == 1
    assert engine.choose(ticket(channel='phone'), [agent(2)]) is None  # no capacity on that channel at all


def test_declined_or_missed_agents_are_excluded():
    assert engine.choose(ticket(excluded=frozenset({1})), [agent(1), agent(2)]).id == 2
    assert engine.choose(ticket(excluded=frozenset({1})), [agent(1)]) is None


def test_sticky_previous_agent_wins_when_eligible():
    agents = [agent(1, chat=(0, 3)), agent(2, chat=(2, 3))]
    assert engine.choose(ticket(previous_agent_id=2), agents).id == 2
    assert engine.choose(ticket(previous_agent_id=9), agents).id == 1


def test_sticky_agent_must_still_be_eligible():
    agents = [agent(1), agent(2, chat=(3, 3))]
    assert engine.choose(ticket(previous_agent_id=2), agents).id == 1
    agents = [agent(1), agent(2, available=False)]
    assert engine.choose(ticket(previous_agent_id=2), agents).id == 1
    assert engine.choose(ticket(previous_agent_id=2, excluded=frozenset({2})), [agent(1), agent(2)]).id == 1


def test_most_spare_capacity_relative_to_limit():
    # agent 1: 2 of 6 free (33%); agent 2: 1 of 2 free (50%) -> agent 2 despite fewer free slots
    agents = [agent(1, chat=(4, 6)), agent(2, chat=(1, 2))]
    assert engine.choose(ticket(), agents).id == 2


def test_ties_go_to_longest_idle_then_never_routed():
    agents = [agent(1, idle=T0), agent(2, idle=T0 - timedelta(minutes=5)), agent(3, idle=T0 + timedelta(minutes=1))]
    assert engine.choose(ticket(), agents).id == 2
    assert engine.choose(ticket(), agents + [agent(4, idle=None)]).id == 4


def test_ties_without_idle_are_deterministic():
    assert engine.choose(ticket(), [agent(5), agent(3), agent(4)]).id == 3


def test_rank_orders_every_eligible_agent():
    agents = [agent(1, chat=(2, 3)), agent(2, chat=(0, 3)), agent(3, chat=(1, 3)), agent(4, available=False)]
    assert [a.id for a in engine.rank(ticket(), agents)] == [2, 3, 1]
    assert [a.id for a in engine.rank(ticket(previous_agent_id=1), agents)] == [1, 2, 3]


def test_escalation_level_one_ignores_product():
    other_product = agent(1, products=('modem',))
    assert engine.choose(ticket(product='tv', escalation=1), [other_product]).id == 1
    assert engine.choose(ticket(product='tv', client=2, escalation=1), [agent(1, clients=(1,))]) is None


def test_escalation_never_leaves_the_clients_agents():
    other_client = agent(1, clients=(9,))
    assert engine.choose(ticket(client=2, escalation=2), [other_client]) is None
    own = agent(2, clients=(2,), products=('modem',))
    assert engine.choose(ticket(client=2, product='tv', escalation=2), [own]).id == 2
    assert engine.choose(ticket(language='es', escalation=2), [agent(1, ('en',))]) is None


def test_an_agent_given_no_client_serves_none():
    assert engine.choose(ticket(client=1), [agent(1, clients=())]) is None
    assert engine.next_ticket(agent(1, clients=()), [ticket(1, client=1), ticket(2, client=2)]) is None


def test_escalation_still_needs_capacity_and_availability():
    assert engine.choose(ticket(escalation=2), [agent(1, chat=(3, 3)), agent(2, available=False)]) is None


def test_next_ticket_priority_then_due_then_arrival():
    tickets = [ticket(1, sort_priority=2, due_at=T0), ticket(2, sort_priority=0, due_at=T0 + timedelta(hours=1)),
               ticket(3, sort_priority=0, due_at=T0), ticket(4, sort_priority=0, due_at=T0)]
    assert engine.next_ticket(agent(1), tickets).id == 3
    assert engine.next_ticket(agent(1), [t for t in tickets if t.id != 3]).id == 4


def test_next_ticket_skips_what_the_agent_cannot_take():
    tickets = [ticket(1, sort_priority=0, language='es'), ticket(2, sort_priority=1, excluded=frozenset({1})),
               ticket(3, sort_priority=1, channel='email'), ticket(4, sort_priority=2)]
    assert engine.next_ticket(agent(1, chat=(3, 3)), tickets).id == 3
    assert engine.next_ticket(agent(1, chat=(0, 3), email=(6, 6)), tickets).id == 4
    assert engine.next_ticket(agent(1, chat=(3, 3), email=(6, 6)), tickets) is None


def test_unstaffed_language():
    agents = [agent(1, ('en',)), agent(2, ('es',), available=False)]
    assert engine.unstaffed('es', agents)
    assert not engine.unstaffed('en', agents)
    assert engine.unstaffed(None, [agent(1, available=False)])
    assert not engine.unstaffed('es', agents + [agent(3, ('en', 'es'), chat=(3, 3))])
