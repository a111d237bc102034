"""tools/drivers"""
