// Every GraphQL document the page sends: the public API, nothing private.

const MESSAGE = `id direction body status createdAt error { code message providerCode } contact { id } sender { id } campaign { id name }`;

const CONVERSATION = `id status unreadCount lastMessageAt
  contact { id phoneNumber firstName lastName }
  sender { id value }
  group { id name }
  lastMessage { ${MESSAGE} }`;

export const VIEWER = `query Viewer { viewer { id name } subscriptionGroups { id name } }`;

export const CONVERSATIONS = `query Conversations($first: Int, $after: String, $status: ConversationStatus, $unreadOnly: Boolean, $groupId: ID) {
  conversations(first: $first, after: $after, status: $status, unreadOnly: $unreadOnly, groupId: $groupId) {
    nodes { ${CONVERSATION} }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const THREAD = `query Thread($id: ID!, $after: String) {
  conversation(id: $id) {
    ${CONVERSATION}
    contact { memberships { status group { id } } }
    messages(first: 50, after: $after) { nodes { ${MESSAGE} } pageInfo { hasNextPage endCursor } }
  }
}`;

export const SEND_REPLY = `mutation SendReply($id: ID!, $body: String!) { sendReply(conversationId: $id, body: $body) { ${MESSAGE} } }`;

export const MARK_READ = `mutation MarkRead($id: ID!) { markConversationRead(id: $id) { id unreadCount } }`;

export const CLOSE = `mutation Close($id: ID!) { closeConversation(id: $id) { id status } }`;

export const REOPEN = `mutation Reopen($id: ID!) { reopenConversation(id: $id) { id status } }`;

export const REPLIES = `subscription Replies { replyReceived { keyword message { ${MESSAGE} } conversation { ${CONVERSATION} } } }`;

export const DELIVERIES = `subscription Deliveries { deliveryEvents { message { ${MESSAGE} } } }`;
