export { MessageService, MAX_TEXT, type MessageServiceDeps } from './message-service.js';
export { MessageRepo, type MessageView, type MessageRow } from './message-repo.js';
export { ContactDirectory } from './contact-directory.js';
