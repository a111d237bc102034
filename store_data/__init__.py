"""store_data"""
